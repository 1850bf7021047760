package kcl

import (
	"math/big"
	"net"
	"net/netip"
	"os"
)

func netModule(add func(string, builtinFn)) {
	add("split_host_port", func(e *evaluator, a []Value, kw *Dict) Value {
		s, _ := strArg(e, a, kw, 0, "ip_end_point", "")
		h, p, err := net.SplitHostPort(s)
		if err != nil {
			e.throw(KindValue, "%v", err)
		}
		return &List{Items: []Value{h, p}}
	})
	add("join_host_port", func(e *evaluator, a []Value, kw *Dict) Value {
		h := toStr(arg(a, kw, 0, "host", ""))
		p := toStr(arg(a, kw, 1, "port", ""))
		return net.JoinHostPort(h, p)
	})
	add("fqdn", func(e *evaluator, a []Value, kw *Dict) Value {
		n, ok := strArg(e, a, kw, 0, "name", none)
		if !ok {
			n, _ = os.Hostname()
		}
		return n
	})
	// addresses as Rust's std parses, prints and classifies them: an IPv4-mapped IPv6 address
	// stays IPv6 (::ffff:1.2.3.4)
	addrArg := func(e *evaluator, a []Value, kw *Dict) (netip.Addr, bool) {
		s, _ := strArg(e, a, kw, 0, "ip", "")
		ip, err := netip.ParseAddr(s)
		return ip, err == nil && ip.Zone() == ""
	}
	ipString := func(e *evaluator, a []Value, kw *Dict) Value {
		if ip, ok := addrArg(e, a, kw); ok {
			return ip.String()
		}
		return ""
	}
	add("parse_IP", ipString)
	add("IP_string", ipString)
	add("to_IP4", func(e *evaluator, a []Value, kw *Dict) Value {
		ip, ok := addrArg(e, a, kw)
		text, _ := strArg(e, a, kw, 0, "ip", "")
		switch {
		case !ok:
			return "can not both parse " + text + " to ipv6 and ipv4,err:invalid IPv6 address syntax"
		case ip.Is4():
			return ip.String()
		}
		// mapped (::ffff:a.b.c.d) and compatible (::a.b.c.d) addresses convert
		b := ip.As16()
		if [10]byte(b[:10]) != [10]byte{} || !(b[10] == 0 && b[11] == 0 || b[10] == 0xff && b[11] == 0xff) {
			return "can not parse " + text + " ipv6 to ipv4!"
		}
		return netip.AddrFrom4([4]byte(b[12:])).String()
	})
	add("to_IP6", func(e *evaluator, a []Value, kw *Dict) Value {
		ip, ok := addrArg(e, a, kw)
		if !ok {
			return ""
		}
		if ip.Is4() {
			return "::ffff:" + ip.String()
		}
		return ip.String()
	})
	pred := func(n string, v4, v6 func(netip.Addr) bool) {
		add(n, func(e *evaluator, a []Value, kw *Dict) Value {
			ip, ok := addrArg(e, a, kw)
			if !ok {
				return false
			}
			if ip.Is4() {
				return v4(ip)
			}
			return v6(ip)
		})
	}
	in := func(prefixes ...string) func(netip.Addr) bool {
		ps := make([]netip.Prefix, len(prefixes))
		for i, p := range prefixes {
			ps[i] = netip.MustParsePrefix(p)
		}
		return func(ip netip.Addr) bool {
			for _, p := range ps {
				if p.Contains(ip) {
					return true
				}
			}
			return false
		}
	}
	yes := func(netip.Addr) bool { return true }
	no := func(netip.Addr) bool { return false }
	pred("is_IPv4", yes, no)
	pred("is_IP", yes, yes)
	pred("is_IPv6", no, yes)
	pred("is_loopback_IP", in("127.0.0.0/8"), in("::1/128"))
	pred("is_multicast_IP", in("224.0.0.0/4"), in("ff00::/8"))
	pred("is_interface_local_multicast_IP", no, func(ip netip.Addr) bool { return ip.As16()[0] == 0xff && ip.As16()[1]&0x0f == 1 })
	pred("is_link_local_multicast_IP", in("224.0.0.0/24"), func(ip netip.Addr) bool { return ip.As16()[0] == 0xff && ip.As16()[1]&0x0f == 2 })
	pred("is_link_local_unicast_IP", in("169.254.0.0/16"), in("fe80::/10"))
	pred("is_unspecified_IP", in("0.0.0.0/32"), in("::/128"))
	// not global: special-purpose ranges (RFC 6890 and after) and multicast, as the reference
	notGlobal4 := in("0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
		"192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4")
	protocol4 := in("192.0.0.0/24")
	notGlobal6 := in("::/128", "::1/128", "::ffff:0:0/96", "64:ff9b:1::/48", "100::/64", "2001:2::/48", "2001:db8::/32",
		"fc00::/7", "fe80::/10", "ff00::/8")
	pred("is_global_unicast_IP", func(ip netip.Addr) bool {
		if protocol4(ip) {
			return ip.As4()[3] == 9 || ip.As4()[3] == 10
		}
		return !notGlobal4(ip)
	}, func(ip netip.Addr) bool { return !notGlobal6(ip) })
	cidrModule(add)
}

// cidrModule adds the CIDR functions: parse_CIDR, is_IP_in_CIDR, CIDR_subnet(s), CIDR_host,
// CIDR_netmask (the Terraform cidrsubnet/cidrhost/cidrnetmask arithmetic).
func cidrModule(add func(string, builtinFn)) {
	prefixArg := func(e *evaluator, a []Value, kw *Dict, i int, name string) netip.Prefix {
		s, _ := strArg(e, a, kw, i, name, "")
		p, err := netip.ParsePrefix(s)
		if err != nil {
			e.throw(KindValue, "invalid CIDR address: %s", s)
		}
		return p.Masked()
	}
	add("parse_CIDR", func(e *evaluator, a []Value, kw *Dict) Value {
		p := prefixArg(e, a, kw, 0, "cidr")
		d := NewDict()
		d.Set("ip", p.Addr().String())
		d.Set("mask", int64(p.Bits()))
		return d
	})
	add("is_IP_in_CIDR", func(e *evaluator, a []Value, kw *Dict) Value {
		s, _ := strArg(e, a, kw, 0, "ip", "")
		ip, err := netip.ParseAddr(s)
		if err != nil {
			e.throw(KindValue, "invalid IP address: %s", s)
		}
		return prefixArg(e, a, kw, 1, "cidr").Contains(ip)
	})
	subnet := func(e *evaluator, p netip.Prefix, newbits, num int64) netip.Prefix {
		bits := int64(p.Bits()) + newbits
		if newbits < 0 || bits > int64(p.Addr().BitLen()) {
			e.throw(KindValue, "insufficient address space to extend prefix of %d by %d", p.Bits(), newbits)
		}
		if num < 0 || (newbits < 63 && num >= int64(1)<<newbits) {
			e.throw(KindValue, "prefix extension of %d does not accommodate a subnet numbered %d", newbits, num)
		}
		n := addrInt(p.Addr())
		n.Or(n, new(big.Int).Lsh(big.NewInt(num), uint(int64(p.Addr().BitLen())-bits)))
		return netip.PrefixFrom(intAddr(n, p.Addr()), int(bits))
	}
	add("CIDR_subnet", func(e *evaluator, a []Value, kw *Dict) Value {
		p := prefixArg(e, a, kw, 0, "cidr")
		newbits, _ := asInt(arg(a, kw, 1, "newbits", int64(0)))
		num, _ := asInt(arg(a, kw, 2, "netnum", int64(0)))
		return subnet(e, p, newbits, num).String()
	})
	add("CIDR_subnets", func(e *evaluator, a []Value, kw *Dict) Value {
		p := prefixArg(e, a, kw, 0, "cidr")
		l, _ := arg(a, kw, 1, "newbits", &List{}).(*List)
		out := &List{}
		if l == nil {
			return out
		}
		// consecutive subnets of the given sizes, each aligned after the previous one
		next := addrInt(p.Addr())
		width := int64(p.Addr().BitLen())
		for _, it := range l.Items {
			nb, _ := asInt(it)
			bits := int64(p.Bits()) + nb
			if nb < 0 || bits > width {
				e.throw(KindValue, "insufficient address space to extend prefix of %d by %d", p.Bits(), nb)
			}
			size := new(big.Int).Lsh(big.NewInt(1), uint(width-bits))
			rem := new(big.Int).Mod(next, size)
			if rem.Sign() != 0 {
				next.Add(next, new(big.Int).Sub(size, rem))
			}
			sub := netip.PrefixFrom(intAddr(next, p.Addr()), int(bits))
			if !p.Contains(sub.Addr()) {
				e.throw(KindValue, "not enough remaining address space for a subnet with a prefix of %d bits", bits)
			}
			out.Items = append(out.Items, sub.String())
			next = new(big.Int).Add(next, size)
		}
		return out
	})
	add("CIDR_host", func(e *evaluator, a []Value, kw *Dict) Value {
		p := prefixArg(e, a, kw, 0, "cidr")
		num, _ := asInt(arg(a, kw, 1, "hostnum", int64(0)))
		hostBits := uint(p.Addr().BitLen() - p.Bits())
		size := new(big.Int).Lsh(big.NewInt(1), hostBits)
		h := big.NewInt(num)
		if num < 0 {
			h.Add(size, h)
		}
		if h.Sign() < 0 || h.Cmp(size) >= 0 {
			e.throw(KindValue, "prefix of %d does not accommodate a host numbered %d", p.Bits(), num)
		}
		return intAddr(new(big.Int).Or(addrInt(p.Addr()), h), p.Addr()).String()
	})
	add("CIDR_netmask", func(e *evaluator, a []Value, kw *Dict) Value {
		p := prefixArg(e, a, kw, 0, "cidr")
		m := net.CIDRMask(p.Bits(), p.Addr().BitLen())
		return net.IP(m).String()
	})
}

func addrInt(a netip.Addr) *big.Int {
	b := a.AsSlice()
	return new(big.Int).SetBytes(b)
}

func intAddr(n *big.Int, like netip.Addr) netip.Addr {
	b := make([]byte, like.BitLen()/8)
	n.FillBytes(b)
	r, _ := netip.AddrFromSlice(b)
	return r
}
