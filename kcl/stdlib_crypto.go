package kcl

import (
	"crypto/md5"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"math/bits"
)

// cryptoModule adds the hash functions of strings (md5, sha1, sha224, sha256, sha384, sha512,
// blake3), of files inside the package (filesha256) and uuid.
func (e *evaluator) cryptoModule(add func(string, builtinFn)) {
	hashes := map[string]func() hash.Hash{
		"md5": md5.New, "sha1": sha1.New, "sha224": sha256.New224, "sha256": sha256.New,
		"sha384": sha512.New384, "sha512": sha512.New,
	}
	sum := func(name string, data []byte) string {
		if name == "blake3" {
			s := blake3Sum(data)
			return hex.EncodeToString(s[:])
		}
		h := hashes[name]()
		h.Write(data)
		return hex.EncodeToString(h.Sum(nil))
	}
	for _, n := range []string{"md5", "sha1", "sha224", "sha256", "sha384", "sha512", "blake3"} {
		name := n
		add(name, func(e *evaluator, a []Value, kw *Dict) Value {
			s, _ := strArg(e, a, kw, 0, "value", "")
			return sum(name, []byte(s))
		})
	}
	add("filesha256", func(e *evaluator, a []Value, kw *Dict) Value {
		p, _ := strArg(e, a, kw, 0, "filepath", "")
		return sum("sha256", e.readConfined(p))
	})
	add("uuid", func(e *evaluator, a []Value, kw *Dict) Value {
		var b [16]byte
		rand.Read(b[:])
		b[6] = b[6]&0x0f | 0x40
		b[8] = b[8]&0x3f | 0x80
		h := hex.EncodeToString(b[:])
		return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
	})
}

// BLAKE3 (default hash mode, 32-byte output), following the reference implementation.

const (
	b3ChunkStart = 1 << 0
	b3ChunkEnd   = 1 << 1
	b3Parent     = 1 << 2
	b3Root       = 1 << 3
	b3ChunkLen   = 1024
	b3BlockLen   = 64
)

var b3IV = [8]uint32{0x6A09E667, 0xBB67AE85, 0x3C6EF372, 0xA54FF53A, 0x510E527F, 0x9B05688C, 0x1F83D9AB, 0x5BE0CD19}

var b3Perm = [16]int{2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8}

func b3G(s *[16]uint32, a, b, c, d int, mx, my uint32) {
	s[a] += s[b] + mx
	s[d] = bits.RotateLeft32(s[d]^s[a], -16)
	s[c] += s[d]
	s[b] = bits.RotateLeft32(s[b]^s[c], -12)
	s[a] += s[b] + my
	s[d] = bits.RotateLeft32(s[d]^s[a], -8)
	s[c] += s[d]
	s[b] = bits.RotateLeft32(s[b]^s[c], -7)
}

func b3Compress(cv [8]uint32, block [16]uint32, counter uint64, blockLen, flags uint32) [16]uint32 {
	s := [16]uint32{cv[0], cv[1], cv[2], cv[3], cv[4], cv[5], cv[6], cv[7],
		b3IV[0], b3IV[1], b3IV[2], b3IV[3], uint32(counter), uint32(counter >> 32), blockLen, flags}
	m := block
	for r := 0; r < 7; r++ {
		b3G(&s, 0, 4, 8, 12, m[0], m[1])
		b3G(&s, 1, 5, 9, 13, m[2], m[3])
		b3G(&s, 2, 6, 10, 14, m[4], m[5])
		b3G(&s, 3, 7, 11, 15, m[6], m[7])
		b3G(&s, 0, 5, 10, 15, m[8], m[9])
		b3G(&s, 1, 6, 11, 12, m[10], m[11])
		b3G(&s, 2, 7, 8, 13, m[12], m[13])
		b3G(&s, 3, 4, 9, 14, m[14], m[15])
		var p [16]uint32
		for i := range p {
			p[i] = m[b3Perm[i]]
		}
		m = p
	}
	for i := 0; i < 8; i++ {
		s[i] ^= s[i+8]
		s[i+8] ^= cv[i]
	}
	return s
}

func b3Words(b []byte) (w [16]uint32) {
	var buf [b3BlockLen]byte
	copy(buf[:], b)
	for i := range w {
		w[i] = binary.LittleEndian.Uint32(buf[4*i:])
	}
	return w
}

func b3First8(s [16]uint32) (cv [8]uint32) {
	copy(cv[:], s[:8])
	return cv
}

// b3Output is a compression not yet done: its flags get ROOT when it is the last one.
type b3Output struct {
	cv       [8]uint32
	block    [16]uint32
	counter  uint64
	blockLen uint32
	flags    uint32
}

func (o b3Output) chainingValue() [8]uint32 {
	return b3First8(b3Compress(o.cv, o.block, o.counter, o.blockLen, o.flags))
}

// chunkOutput hashes one chunk (up to 1024 bytes) with the given chunk counter.
func b3ChunkOutput(chunk []byte, counter uint64) b3Output {
	cv := b3IV
	flags := uint32(b3ChunkStart)
	for len(chunk) > b3BlockLen {
		cv = b3First8(b3Compress(cv, b3Words(chunk[:b3BlockLen]), counter, b3BlockLen, flags))
		chunk = chunk[b3BlockLen:]
		flags = 0
	}
	return b3Output{cv: cv, block: b3Words(chunk), counter: counter, blockLen: uint32(len(chunk)), flags: flags | b3ChunkEnd}
}

func b3ParentOutput(left, right [8]uint32) b3Output {
	var block [16]uint32
	copy(block[:8], left[:])
	copy(block[8:], right[:])
	return b3Output{cv: b3IV, block: block, blockLen: b3BlockLen, flags: b3Parent}
}

func blake3Sum(data []byte) [32]byte {
	var stack [][8]uint32
	counter := uint64(0)
	for len(data) > b3ChunkLen {
		cv := b3ChunkOutput(data[:b3ChunkLen], counter).chainingValue()
		data = data[b3ChunkLen:]
		counter++
		// merge completed subtrees: one per trailing zero bit of the chunk count
		for total := counter; total&1 == 0; total >>= 1 {
			cv = b3ParentOutput(stack[len(stack)-1], cv).chainingValue()
			stack = stack[:len(stack)-1]
		}
		stack = append(stack, cv)
	}
	out := b3ChunkOutput(data, counter)
	for i := len(stack) - 1; i >= 0; i-- {
		out = b3ParentOutput(stack[i], out.chainingValue())
	}
	words := b3Compress(out.cv, out.block, 0, out.blockLen, out.flags|b3Root)
	var sum [32]byte
	for i := 0; i < 8; i++ {
		binary.LittleEndian.PutUint32(sum[4*i:], words[i])
	}
	return sum
}
