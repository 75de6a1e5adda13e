package template

import (
	"crypto/md5"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"math/big"
	"regexp"
	"strconv"
	"strings"

	"github.com/nikolalohinski/gonja/v2/exec"
	"golang.org/x/crypto/blowfish"
)

// password_hash, as ansible-core 2.14 computes it with Python's crypt
// module (ansible/utils/encrypt.py, CryptHash), for md5_crypt,
// sha256_crypt and sha512_crypt; bcrypt, which crypt cannot do, as with
// passlib (PasslibHash).

// cryptAlgo is BaseHash.algorithms.
type cryptAlgo struct {
	id             string
	saltSize       int
	implicitRounds int
}

var cryptAlgos = map[string]cryptAlgo{
	"md5_crypt":    {"1", 8, 0},
	"bcrypt":       {"2b", 22, 12},
	"sha256_crypt": {"5", 16, 535000},
	"sha512_crypt": {"6", 16, 656000},
}

// passlibNames is get_encrypted_password's passlib_mapping.
var passlibNames = map[string]string{"md5": "md5_crypt", "blowfish": "bcrypt", "sha256": "sha256_crypt", "sha512": "sha512_crypt"}

const cryptChars = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

var badSaltRe = regexp.MustCompile(`[^./0-9A-Za-z]`)

// fPasswordHash is password_hash(hashtype='sha512', salt=None,
// salt_size=None, rounds=None, ident=None).
func fPasswordHash(in any, args *exec.VarArgs) (any, error) {
	secret, ok := in.(string)
	if !ok {
		return nil, fmt.Errorf("crypt() argument 1 must be str, not %s", pyTypeName(in))
	}
	hashtype := argString(args, 0, "hashtype", "sha512")
	if n, ok := passlibNames[hashtype]; ok {
		hashtype = n
	}
	algo, ok := cryptAlgos[hashtype]
	if !ok {
		return nil, fmt.Errorf("crypt.crypt does not support '%s' algorithm", hashtype)
	}
	salt := ""
	if v, ok := argValue(args, 1, "salt"); ok && v != nil {
		s, isStr := v.(string)
		if !isStr {
			return nil, fmt.Errorf("expected string or bytes-like object, got '%s'", pyTypeName(v))
		}
		salt = s
	}
	saltSize := algo.saltSize
	if v, ok := argValue(args, 2, "salt_size"); ok && v != nil && Truthy(v) {
		n, err := toInt(v)
		if err != nil {
			return nil, err
		}
		saltSize = n
	}
	rounds := 0
	if v, ok := argValue(args, 3, "rounds"); ok && v != nil {
		n, isInt := v.(int)
		if !isInt {
			return nil, fmt.Errorf("%%d format: a real number is required, not %s", pyTypeName(v))
		}
		rounds = n
	}
	ident := argString(args, 4, "ident", "")
	if salt == "" {
		var err error
		if salt, err = randomSalt(saltSize); err != nil {
			return nil, err
		}
	}
	if hashtype == "bcrypt" {
		return bcryptHash(secret, salt, rounds, ident)
	}
	if badSaltRe.MatchString(salt) {
		return nil, errors.New("invalid characters in salt")
	}
	if len(salt) > algo.saltSize { // the algorithm's, whatever salt_size says
		return nil, errors.New("invalid salt size")
	}
	if rounds == algo.implicitRounds {
		rounds = 0 // as CryptHash._rounds: crypt then uses its own default
	}
	if ident != "" {
		// CryptHash._ident drops an ident for anything but bcrypt, and
		// crypt cannot parse the salt string that is left.
		return nil, fmt.Errorf("crypt.crypt does not support '%s' algorithm", hashtype)
	}
	setting := "$" + algo.id
	if rounds != 0 {
		setting += "$rounds=" + strconv.Itoa(rounds)
	}
	setting += "$" + salt
	out, err := crypt(secret, setting)
	if err != nil {
		return nil, fmt.Errorf("crypt.crypt does not support '%s' algorithm (%v)", hashtype, err)
	}
	return out, nil
}

// randomSalt is random_salt: n characters of [./0-9A-Za-z].
func randomSalt(n int) (string, error) {
	b := make([]byte, n)
	for i := range b {
		k, err := rand.Int(rand.Reader, big.NewInt(int64(len(cryptChars))))
		if err != nil {
			return "", err
		}
		b[i] = cryptChars[k.Int64()]
	}
	return string(b), nil
}

// crypt is crypt(3) (libxcrypt) for the $1$, $5$ and $6$ methods.
func crypt(key, setting string) (string, error) {
	if strings.IndexByte(key, 0) >= 0 {
		return "", errors.New("embedded null character")
	}
	switch {
	case strings.HasPrefix(setting, "$1$"):
		return md5Crypt(key, setting[3:]), nil
	case strings.HasPrefix(setting, "$5$"):
		return shaCrypt(sha256.New, "5", key, setting[3:])
	case strings.HasPrefix(setting, "$6$"):
		return shaCrypt(sha512.New, "6", key, setting[3:])
	}
	return "", errors.New("unsupported method")
}

// b64From24 appends n characters of crypt's base64 for three bytes.
func b64From24(out []byte, b2, b1, b0 byte, n int) []byte {
	w := uint(b2)<<16 | uint(b1)<<8 | uint(b0)
	for ; n > 0; n-- {
		out = append(out, cryptChars[w&0x3f])
		w >>= 6
	}
	return out
}

// md5Crypt is the $1$ method; rest is the setting after "$1$".
func md5Crypt(key, rest string) string {
	salt := rest
	if i := strings.IndexByte(salt, '$'); i >= 0 {
		salt = salt[:i]
	}
	if len(salt) > 8 {
		salt = salt[:8]
	}
	k, s := []byte(key), []byte(salt)
	alt := md5.Sum(append(append(append([]byte{}, k...), s...), k...))
	ctx := md5.New()
	ctx.Write(k)
	ctx.Write([]byte("$1$"))
	ctx.Write(s)
	for n := len(k); n > 0; n -= 16 {
		ctx.Write(alt[:min(n, 16)])
	}
	for n := len(k); n > 0; n >>= 1 {
		if n&1 != 0 {
			ctx.Write([]byte{0})
		} else {
			ctx.Write(k[:1])
		}
	}
	final := ctx.Sum(nil)
	for i := 0; i < 1000; i++ {
		c := md5.New()
		if i&1 != 0 {
			c.Write(k)
		} else {
			c.Write(final)
		}
		if i%3 != 0 {
			c.Write(s)
		}
		if i%7 != 0 {
			c.Write(k)
		}
		if i&1 != 0 {
			c.Write(final)
		} else {
			c.Write(k)
		}
		final = c.Sum(nil)
	}
	out := []byte("$1$" + salt + "$")
	for _, g := range [][3]int{{0, 6, 12}, {1, 7, 13}, {2, 8, 14}, {3, 9, 15}, {4, 10, 5}} {
		out = b64From24(out, final[g[0]], final[g[1]], final[g[2]], 4)
	}
	out = b64From24(out, 0, 0, final[11], 2)
	return string(out)
}

// shaCrypt is the $5$ and $6$ methods (Drepper's SHA-crypt); rest is the
// setting after "$id$". Rounds out of 1000..999999999 fail, as in
// libxcrypt.
func shaCrypt(newHash func() hash.Hash, id, key, rest string) (string, error) {
	rounds, custom := 5000, false
	if r, ok := strings.CutPrefix(rest, "rounds="); ok {
		i := strings.IndexByte(r, '$')
		if i <= 0 {
			return "", errors.New("bad rounds")
		}
		n, err := strconv.ParseUint(r[:i], 10, 64)
		if err != nil || r[0] == '0' || n < 1000 || n > 999999999 {
			return "", errors.New("rounds out of range")
		}
		rounds, custom, rest = int(n), true, r[i+1:]
	}
	salt := rest
	if i := strings.IndexByte(salt, '$'); i >= 0 {
		salt = salt[:i]
	}
	if len(salt) > 16 {
		salt = salt[:16]
	}
	k, s := []byte(key), []byte(salt)
	sum := func(parts ...[]byte) []byte {
		h := newHash()
		for _, p := range parts {
			h.Write(p)
		}
		return h.Sum(nil)
	}
	b := sum(k, s, k)
	size := len(b)
	a := newHash()
	a.Write(k)
	a.Write(s)
	n := len(k)
	for ; n > size; n -= size {
		a.Write(b)
	}
	a.Write(b[:n])
	for n := len(k); n > 0; n >>= 1 {
		if n&1 != 0 {
			a.Write(b)
		} else {
			a.Write(k)
		}
	}
	da := a.Sum(nil)
	dp := newHash()
	for range len(k) {
		dp.Write(k)
	}
	p := repeatTo(dp.Sum(nil), len(k))
	ds := newHash()
	for range 16 + int(da[0]) {
		ds.Write(s)
	}
	sb := repeatTo(ds.Sum(nil), len(s))
	c := da
	for r := 0; r < rounds; r++ {
		h := newHash()
		if r&1 != 0 {
			h.Write(p)
		} else {
			h.Write(c)
		}
		if r%3 != 0 {
			h.Write(sb)
		}
		if r%7 != 0 {
			h.Write(p)
		}
		if r&1 != 0 {
			h.Write(c)
		} else {
			h.Write(p)
		}
		c = h.Sum(nil)
	}
	out := []byte("$" + id + "$")
	if custom {
		out = append(out, "rounds="+strconv.Itoa(rounds)+"$"...)
	}
	out = append(out, salt+"$"...)
	if id == "5" {
		for i := 0; i < 10; i++ {
			j := [3]int{(i * 21) % 30, (i*21 + 10) % 30, (i*21 + 20) % 30}
			out = b64From24(out, c[j[0]], c[j[1]], c[j[2]], 4)
		}
		out = b64From24(out, 0, c[31], c[30], 3)
	} else {
		for i := 0; i < 21; i++ {
			out = b64From24(out, c[(i*22)%63], c[(i*22+21)%63], c[(i*22+42)%63], 4)
		}
		out = b64From24(out, 0, 0, c[63], 2)
	}
	return string(out), nil
}

// repeatTo is d repeated to n bytes.
func repeatTo(d []byte, n int) []byte {
	out := make([]byte, 0, n)
	for len(out) < n {
		out = append(out, d[:min(len(d), n-len(out))]...)
	}
	return out
}

// bcryptChars is bcrypt's base64 alphabet.
const bcryptChars = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

var bcryptB64 = base64.NewEncoding(bcryptChars).WithPadding(base64.NoPadding)

// bcryptHash is passlib's bcrypt.using(salt=, rounds=, ident=).hash(secret):
// ident 2b and 12 rounds by default, a 22-character salt whose unused
// last bits passlib clears, the secret cut to 72 bytes.
func bcryptHash(secret, salt string, rounds int, ident string) (string, error) {
	if rounds == 0 {
		rounds = 12
	}
	if ident == "" {
		ident = "2b"
	}
	switch ident {
	case "2", "2a", "2b", "2y":
	default:
		return "", fmt.Errorf("Could not hash the secret. (invalid ident: %q)", ident)
	}
	if rounds < 4 || rounds > 31 {
		return "", errors.New("Could not hash the secret. (rounds must be between 4 and 31)")
	}
	if len(salt) != 22 || strings.Trim(salt, bcryptChars) != "" {
		return "", errors.New("Could not hash the secret. (invalid bcrypt salt)")
	}
	if strings.IndexByte(secret, 0) >= 0 {
		return "", errors.New("Could not hash the secret. (bcrypt secrets cannot contain NUL)")
	}
	salt = salt[:21] + string(bcryptChars[strings.IndexByte(bcryptChars, salt[21])&0x30])
	csalt, err := bcryptB64.DecodeString(salt)
	if err != nil {
		return "", err
	}
	key := append([]byte(secret), 0)
	if len(key) > 72 {
		key = key[:72]
	}
	c, err := blowfish.NewSaltedCipher(key, csalt)
	if err != nil {
		return "", err
	}
	for i := uint64(0); i < uint64(1)<<rounds; i++ {
		blowfish.ExpandKey(key, c)
		blowfish.ExpandKey(csalt, c)
	}
	data := []byte("OrpheanBeholderScryDoubt")
	for i := 0; i < 24; i += 8 {
		for j := 0; j < 64; j++ {
			c.Encrypt(data[i:i+8], data[i:i+8])
		}
	}
	return fmt.Sprintf("$%s$%02d$%s%s", ident, rounds, salt, bcryptB64.EncodeToString(data[:23])), nil
}
