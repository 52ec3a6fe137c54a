package secrets_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tiltas/cloud/secrets"
)

func TestSealOpen(t *testing.T) {
	dir := t.TempDir()
	box, err := secrets.LoadOrCreate(filepath.Join(dir, "k", "secrets.key"))
	if err != nil {
		t.Fatal(err)
	}
	plain := []byte(`{"client_secret":"s3cret"}`)
	a, _ := box.Seal(plain, []byte("tenant/1"))
	b, _ := box.Seal(plain, []byte("tenant/1"))
	if a == b || !secrets.IsSealed(a) || strings.Contains(a, "s3cret") {
		t.Fatalf("sealed values must be random, marked and opaque: %q %q", a, b)
	}
	if got, err := box.Open(a, []byte("tenant/1")); err != nil || string(got) != string(plain) {
		t.Fatalf("open: %q %v", got, err)
	}
	other, _ := secrets.LoadOrCreate(filepath.Join(dir, "other.key"))
	tampered := a[:len(a)-4] + "AAA="
	for name, open := range map[string]func() ([]byte, error){
		"another tenant": func() ([]byte, error) { return box.Open(a, []byte("tenant/2")) },
		"another key":    func() ([]byte, error) { return other.Open(a, []byte("tenant/1")) },
		"altered":        func() ([]byte, error) { return box.Open(tampered, []byte("tenant/1")) },
		"plain text":     func() ([]byte, error) { return box.Open(string(plain), []byte("tenant/1")) },
	} {
		if _, err := open(); err == nil {
			t.Errorf("%s: opened", name)
		}
	}
}

func TestKeyFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "secrets.key")
	box, err := secrets.LoadOrCreate(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v %v, want 0600", fi.Mode().Perm(), err)
	}
	sealed, _ := box.Seal([]byte("x"), nil)
	again, err := secrets.LoadOrCreate(path) // the same key on the next start
	if err != nil {
		t.Fatal(err)
	}
	if got, err := again.Open(sealed, nil); err != nil || string(got) != "x" {
		t.Fatalf("reloaded key: %q %v", got, err)
	}
	for _, tc := range []struct {
		name    string
		content string
		mode    os.FileMode
		want    string
	}{
		{"readable by others", "", 0o644, "chmod 600"},
		{"not base64", "hello", 0o600, "not 32 bytes"},
		{"too short", "AAAA", 0o600, "not 32 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-"))
			content := tc.content
			if content == "" {
				b, _ := os.ReadFile(path)
				content = string(b)
			}
			if err := os.WriteFile(p, []byte(content), tc.mode); err != nil {
				t.Fatal(err)
			}
			os.Chmod(p, tc.mode)
			if _, err := secrets.LoadOrCreate(p); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error saying %q", err, tc.want)
			}
		})
	}
}
