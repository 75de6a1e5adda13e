package template

import (
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"

	"github.com/nikolalohinski/gonja/v2/exec"
	"golang.org/x/text/unicode/norm"
)

// fURLSplit is urlsplit(query=”): the components of Python's
// urllib.parse.urlsplit (scheme, netloc, path, query, fragment, username,
// password, hostname, port) as a dict, or the one named by query.
func fURLSplit(in any, args *exec.VarArgs) (any, error) {
	s, ok := in.(string)
	if !ok {
		return nil, fmt.Errorf("'%s' object has no attribute 'decode'", pyTypeName(in))
	}
	parts, err := urlSplit(s)
	if err != nil {
		return nil, err
	}
	if q := argString(args, 0, "query", ""); q != "" {
		v, ok := parts[q]
		if !ok {
			return nil, fmt.Errorf("urlsplit: unknown URL component: %s", q)
		}
		return v, nil
	}
	return parts, nil
}

const schemeChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-."

var ipvFutureRe = regexp.MustCompile(`\Av[a-fA-F0-9]+\..+\z`)

// urlSplit is Python 3.11's urlsplit with its netloc properties.
func urlSplit(url string) (map[string]any, error) {
	url = strings.TrimLeft(url, "\x00\x01\x02\x03\x04\x05\x06\x07\x08\t\n\x0b\x0c\r\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f ")
	url = strings.NewReplacer("\t", "", "\r", "", "\n", "").Replace(url)
	scheme, netloc, query, fragment := "", "", "", ""
	if i := strings.IndexByte(url, ':'); i > 0 && isASCIILetter(url[0]) {
		if strings.Trim(url[:i], schemeChars) == "" {
			scheme, url = strings.ToLower(url[:i]), url[i+1:]
		}
	}
	if strings.HasPrefix(url, "//") {
		end := len(url)
		if k := strings.IndexAny(url[2:], "/?#"); k >= 0 {
			end = 2 + k
		}
		netloc, url = url[2:end], url[end:]
		open, closed := strings.Contains(netloc, "["), strings.Contains(netloc, "]")
		if open != closed {
			return nil, errors.New("Invalid IPv6 URL")
		}
		if open {
			if err := checkBracketedNetloc(netloc); err != nil {
				return nil, err
			}
		}
	}
	if i := strings.IndexByte(url, '#'); i >= 0 {
		url, fragment = url[:i], url[i+1:]
	}
	if i := strings.IndexByte(url, '?'); i >= 0 {
		url, query = url[:i], url[i+1:]
	}
	if err := checkNetloc(netloc); err != nil {
		return nil, err
	}
	out := map[string]any{
		"scheme": scheme, "netloc": netloc, "path": url, "query": query, "fragment": fragment,
		"username": nil, "password": nil, "hostname": nil, "port": nil,
	}
	if i := strings.LastIndexByte(netloc, '@'); i >= 0 {
		user, pass, hasPass := strings.Cut(netloc[:i], ":")
		out["username"] = user
		if hasPass {
			out["password"] = pass
		}
	}
	host, port := hostInfo(netloc)
	if host != "" {
		name, zone, hasZone := strings.Cut(host, "%")
		host = strings.ToLower(name)
		if hasZone {
			host += "%" + zone
		}
		out["hostname"] = host
	}
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || strings.Trim(port, "0123456789") != "" {
			return nil, fmt.Errorf("Port could not be cast to integer value as '%s'", port)
		}
		if n > 65535 {
			return nil, errors.New("Port out of range 0-65535")
		}
		out["port"] = n
	}
	return out, nil
}

func isASCIILetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// hostInfo is _NetlocResultMixinStr._hostinfo.
func hostInfo(netloc string) (host, port string) {
	hostinfo := netloc[strings.LastIndexByte(netloc, '@')+1:]
	if _, bracketed, ok := strings.Cut(hostinfo, "["); ok {
		host, rest, _ := strings.Cut(bracketed, "]")
		_, port, _ = strings.Cut(rest, ":")
		return host, port
	}
	host, port, _ = strings.Cut(hostinfo, ":")
	return host, port
}

func checkBracketedNetloc(netloc string) error {
	hp := netloc[strings.LastIndexByte(netloc, '@')+1:]
	var host string
	if before, bracketed, ok := strings.Cut(hp, "["); ok {
		if before != "" {
			return errors.New("Invalid IPv6 URL")
		}
		var port string
		host, port, _ = strings.Cut(bracketed, "]")
		if port != "" && !strings.HasPrefix(port, ":") {
			return errors.New("Invalid IPv6 URL")
		}
	} else {
		host, _, _ = strings.Cut(hp, ":")
	}
	if strings.HasPrefix(host, "v") {
		if !ipvFutureRe.MatchString(host) {
			return errors.New("IPvFuture address is invalid")
		}
		return nil
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return fmt.Errorf("'%s' does not appear to be an IPv4 or IPv6 address", host)
	}
	if ip.Is4() {
		return errors.New("An IPv4 address cannot be in brackets")
	}
	return nil
}

// checkNetloc is _checknetloc: a non-ASCII netloc must not gain URL
// delimiters under NFKC normalization.
func checkNetloc(netloc string) error {
	ascii := true
	for i := 0; i < len(netloc); i++ {
		if netloc[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if netloc == "" || ascii {
		return nil
	}
	n := strings.NewReplacer("@", "", ":", "", "#", "", "?", "").Replace(netloc)
	n2 := norm.NFKC.String(n)
	if n == n2 {
		return nil
	}
	if strings.ContainsAny(n2, "/?#@:") {
		return fmt.Errorf("netloc '%s' contains invalid characters under NFKC normalization", netloc)
	}
	return nil
}
