package kcl

import (
	"math/big"
	"net"
	"net/netip"
	"os"
)

func netModule(add func(string, builtinFn)) {
	ipArg := func(e *evaluator, a []Value, kw *Dict) net.IP {
		s, _ := strArg(e, a, kw, 0, "ip", "")
		return net.ParseIP(s)
	}
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
	add("parse_IP", func(e *evaluator, a []Value, kw *Dict) Value {
		ip := ipArg(e, a, kw)
		if ip == nil {
			return ""
		}
		return ip.String()
	})
	add("IP_string", func(e *evaluator, a []Value, kw *Dict) Value {
		ip := ipArg(e, a, kw)
		if ip == nil {
			return ""
		}
		return ip.String()
	})
	add("to_IP4", func(e *evaluator, a []Value, kw *Dict) Value {
		ip := ipArg(e, a, kw)
		if ip == nil || ip.To4() == nil {
			return ""
		}
		return ip.To4().String()
	})
	add("to_IP6", func(e *evaluator, a []Value, kw *Dict) Value {
		ip := ipArg(e, a, kw)
		if ip == nil {
			return ""
		}
		if v4 := ip.To4(); v4 != nil {
			return "::ffff:" + v4.String()
		}
		return ip.To16().String()
	})
	pred := func(n string, f func(net.IP) bool) {
		add(n, func(e *evaluator, a []Value, kw *Dict) Value {
			ip := ipArg(e, a, kw)
			return ip != nil && f(ip)
		})
	}
	pred("is_IPv4", func(ip net.IP) bool { return ip.To4() != nil })
	pred("is_IP", func(ip net.IP) bool { return true })
	add("is_IPv6", func(e *evaluator, a []Value, kw *Dict) Value {
		s, _ := strArg(e, a, kw, 0, "ip", "")
		ip, err := netip.ParseAddr(s)
		return err == nil && ip.Is6()
	})
	pred("is_loopback_IP", net.IP.IsLoopback)
	pred("is_multicast_IP", net.IP.IsMulticast)
	pred("is_interface_local_multicast_IP", net.IP.IsInterfaceLocalMulticast)
	pred("is_link_local_multicast_IP", net.IP.IsLinkLocalMulticast)
	pred("is_link_local_unicast_IP", net.IP.IsLinkLocalUnicast)
	pred("is_global_unicast_IP", net.IP.IsGlobalUnicast)
	pred("is_unspecified_IP", net.IP.IsUnspecified)
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
