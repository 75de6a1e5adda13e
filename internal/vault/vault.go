// Package vault reads and writes ansible-vault payloads (format 1.1 and
// 1.2, AES256), for vars files, inventories and !vault values.
package vault

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// vaultHeader starts every ansible-vault encrypted file or value.
const vaultHeader = "$ANSIBLE_VAULT;"

// ErrPassword is returned (wrapped) when a vault's HMAC does not match:
// the password is wrong or the data was altered.
var ErrPassword = errors.New("vault: wrong password or corrupted data (HMAC mismatch)")

// IsEncrypted reports whether data is ansible-vault encrypted.
func IsEncrypted(data []byte) bool {
	return bytes.HasPrefix(bytes.TrimLeft(data, " \t\r\n"), []byte(vaultHeader))
}

// Decrypt decrypts an ansible-vault "$ANSIBLE_VAULT;1.1;AES256" (or
// 1.2 with a vault id) payload with password, exactly as ansible-vault does:
// PBKDF2-SHA256 with 10000 iterations derives an AES-256 key, an HMAC-SHA256
// key and a CTR IV; the HMAC over the ciphertext is checked before
// decrypting; the PKCS#7 padding is removed.
func Decrypt(data, password []byte) ([]byte, error) {
	text := strings.TrimSpace(string(data))
	header, body, ok := strings.Cut(text, "\n")
	if !ok {
		return nil, errors.New("vault: no payload after the header")
	}
	fields := strings.Split(strings.TrimSpace(header), ";")
	if len(fields) < 3 || fields[0] != "$ANSIBLE_VAULT" {
		return nil, errors.New("vault: malformed header")
	}
	if fields[1] != "1.1" && fields[1] != "1.2" {
		return nil, fmt.Errorf("vault: format version %q is not supported (drover reads 1.1 and 1.2)", fields[1])
	}
	if strings.TrimSpace(fields[2]) != "AES256" {
		return nil, fmt.Errorf("vault: cipher %q is not supported (drover reads AES256)", fields[2])
	}
	var hexBody strings.Builder
	for _, line := range strings.Split(body, "\n") {
		hexBody.WriteString(strings.TrimSpace(line))
	}
	inner, err := hex.DecodeString(hexBody.String())
	if err != nil {
		return nil, fmt.Errorf("vault: payload is not hex: %w", err)
	}
	parts := strings.Split(string(inner), "\n")
	if len(parts) != 3 {
		return nil, errors.New("vault: payload does not hold salt, HMAC and ciphertext")
	}
	salt, err1 := hex.DecodeString(parts[0])
	mac, err2 := hex.DecodeString(parts[1])
	ct, err3 := hex.DecodeString(parts[2])
	if err := errors.Join(err1, err2, err3); err != nil {
		return nil, fmt.Errorf("vault: payload is not hex: %w", err)
	}
	cipherKey, macKey, iv, err := vaultKeys(password, salt)
	if err != nil {
		return nil, err
	}
	h := hmac.New(sha256.New, macKey)
	h.Write(ct)
	if !hmac.Equal(h.Sum(nil), mac) {
		return nil, ErrPassword
	}
	block, err := aes.NewCipher(cipherKey)
	if err != nil {
		return nil, fmt.Errorf("vault: %w", err)
	}
	plain := make([]byte, len(ct))
	cipher.NewCTR(block, iv).XORKeyStream(plain, ct)
	return unpadPKCS7(plain)
}

// Encrypt encrypts plain in ansible-vault 1.1 AES256 format with the
// given salt (32 random bytes in ansible-vault). It exists for tests and
// tools; the output is readable by ansible-vault.
func Encrypt(plain, password, salt []byte) ([]byte, error) {
	cipherKey, macKey, iv, err := vaultKeys(password, salt)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(cipherKey)
	if err != nil {
		return nil, fmt.Errorf("vault: %w", err)
	}
	pad := aes.BlockSize - len(plain)%aes.BlockSize
	padded := append(append([]byte{}, plain...), bytes.Repeat([]byte{byte(pad)}, pad)...)
	ct := make([]byte, len(padded))
	cipher.NewCTR(block, iv).XORKeyStream(ct, padded)
	h := hmac.New(sha256.New, macKey)
	h.Write(ct)
	inner := hex.EncodeToString(salt) + "\n" + hex.EncodeToString(h.Sum(nil)) + "\n" + hex.EncodeToString(ct)
	outer := hex.EncodeToString([]byte(inner))
	var b strings.Builder
	b.WriteString("$ANSIBLE_VAULT;1.1;AES256\n")
	for len(outer) > 80 {
		b.WriteString(outer[:80] + "\n")
		outer = outer[80:]
	}
	b.WriteString(outer + "\n")
	return []byte(b.String()), nil
}

func vaultKeys(password, salt []byte) (cipherKey, macKey, iv []byte, err error) {
	if len(password) == 0 {
		return nil, nil, nil, errors.New("vault: empty password")
	}
	k, err := pbkdf2.Key(sha256.New, string(password), salt, 10000, 2*32+aes.BlockSize)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("vault: %w", err)
	}
	return k[:32], k[32:64], k[64:], nil
}

func unpadPKCS7(b []byte) ([]byte, error) {
	if len(b) == 0 || len(b)%aes.BlockSize != 0 {
		return nil, errors.New("vault: bad padding")
	}
	n := int(b[len(b)-1])
	if n == 0 || n > aes.BlockSize || n > len(b) {
		return nil, errors.New("vault: bad padding")
	}
	for _, c := range b[len(b)-n:] {
		if int(c) != n {
			return nil, errors.New("vault: bad padding")
		}
	}
	return b[:len(b)-n], nil
}
