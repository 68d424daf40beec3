package config

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRegisterReadsEnvironment(t *testing.T) {
	env := map[string]string{"PRESSWATCH_DATA": "/tmp/x", "PRESSWATCH_DATABASE": "postgres://u:secret@h/db"}
	var c Config
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	c.Register(fs, func(k string) string { return env[k] })
	if err := fs.Parse(nil); err != nil {
		t.Fatal(err)
	}
	if c.DataDir != "/tmp/x" || !c.IsPostgres() {
		t.Fatalf("got %+v", c)
	}
	if s := c.String(); strings.Contains(s, "secret") {
		t.Fatalf("String leaks the password: %s", s)
	}
}

func TestValidate(t *testing.T) {
	dir := t.TempDir()
	ro := filepath.Join(dir, "ro")
	if err := os.Mkdir(ro, 0o500); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		c       Config
		wantErr string
	}{
		{"ok", Config{DataDir: filepath.Join(dir, "d"), LogLevel: "info"}, ""},
		{"empty data", Config{LogLevel: "info"}, "data folder is empty"},
		{"bad url", Config{DataDir: dir, DatabaseURL: "mysql://x", LogLevel: "info"}, "unsupported database URL"},
		{"bad proxy", Config{DataDir: dir, Proxy: "http://x:1", LogLevel: "info"}, "socks5"},
		{"bad level", Config{DataDir: dir, LogLevel: "loud"}, "log level"},
	}
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tests = append(tests, struct {
		name    string
		c       Config
		wantErr string
	}{"under a file", Config{DataDir: filepath.Join(file, "d"), LogLevel: "info"}, "cannot create the data folder"})
	if os.Geteuid() != 0 { // root writes anywhere
		tests = append(tests, struct {
			name    string
			c       Config
			wantErr string
		}{"unwritable", Config{DataDir: ro, LogLevel: "info"}, "not writable"})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.c.Validate()
			if tt.wantErr == "" && err != nil {
				t.Fatalf("unexpected error %v", err)
			}
			if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("error %v, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}
