// Package config reads presswatch's settings from flags and environment
// variables, checks them, and prints them with secrets masked.
package config

import (
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// Config holds the settings shared by every command that touches an instance.
type Config struct {
	DataDir      string // --data, PRESSWATCH_DATA
	DatabaseURL  string // --database, PRESSWATCH_DATABASE; empty means SQLite in DataDir
	AllowPrivate bool   // --insecure-allow-private-addresses
	Proxy        string // --proxy, PRESSWATCH_PROXY: socks5://host:port for outbound fetches (Tor)
	LogLevel     string // --log-level, PRESSWATCH_LOG_LEVEL
}

// Register adds the common flags to fs, with defaults from the environment.
func (c *Config) Register(fs *flag.FlagSet, getenv func(string) string) {
	fs.StringVar(&c.DataDir, "data", envOr(getenv, "PRESSWATCH_DATA", "./presswatch-data"), "data folder (env PRESSWATCH_DATA)")
	fs.StringVar(&c.DatabaseURL, "database", getenv("PRESSWATCH_DATABASE"), "database URL: postgres://… or a SQLite file; default: SQLite in the data folder (env PRESSWATCH_DATABASE)")
	fs.StringVar(&c.LogLevel, "log-level", envOr(getenv, "PRESSWATCH_LOG_LEVEL", "info"), "debug, info, warn or error")
}

// RegisterNetwork adds the flags of commands that fetch from the network.
func (c *Config) RegisterNetwork(fs *flag.FlagSet, getenv func(string) string) {
	fs.BoolVar(&c.AllowPrivate, "insecure-allow-private-addresses", false, "allow fetching from loopback and private addresses (tests and isolated networks only)")
	fs.StringVar(&c.Proxy, "proxy", getenv("PRESSWATCH_PROXY"), "SOCKS5 proxy for outbound fetches, e.g. socks5://127.0.0.1:9050 for Tor (env PRESSWATCH_PROXY)")
}

func envOr(getenv func(string) string, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}

// Database returns the database URL to open: the configured one, or the
// SQLite file inside the data folder.
func (c *Config) Database() string {
	if c.DatabaseURL != "" {
		return c.DatabaseURL
	}
	return filepath.Join(c.DataDir, "presswatch.db")
}

// IsPostgres reports whether the database is PostgreSQL.
func (c *Config) IsPostgres() bool {
	return strings.HasPrefix(c.DatabaseURL, "postgres://") || strings.HasPrefix(c.DatabaseURL, "postgresql://")
}

// Validate checks the settings and prepares the data folder. Its errors are
// one sentence saying what to do.
func (c *Config) Validate() error {
	if c.DataDir == "" {
		return errors.New("the data folder is empty: give one with --data DIR")
	}
	if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
		return fmt.Errorf("cannot create the data folder %s (%v): choose another with --data or fix its permissions", c.DataDir, unwrapPath(err))
	}
	probe, err := os.CreateTemp(c.DataDir, ".write-test-*")
	if err != nil {
		return fmt.Errorf("the data folder %s is not writable (%v): choose another with --data or fix its permissions", c.DataDir, unwrapPath(err))
	}
	probe.Close()
	os.Remove(probe.Name())
	if c.DatabaseURL != "" && strings.Contains(c.DatabaseURL, "://") && !c.IsPostgres() && !strings.HasPrefix(c.DatabaseURL, "sqlite://") && !strings.HasPrefix(c.DatabaseURL, "file:") {
		return fmt.Errorf("unsupported database URL %s: use postgres://… or a SQLite file path", Mask(c.DatabaseURL))
	}
	if c.Proxy != "" {
		u, err := url.Parse(c.Proxy)
		if err != nil || (u.Scheme != "socks5" && u.Scheme != "socks5h") || u.Host == "" {
			return fmt.Errorf("the proxy %q is not a socks5://host:port address", c.Proxy)
		}
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("unknown log level %q: use debug, info, warn or error", c.LogLevel)
	}
	return nil
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Mask hides the password of a URL for printing.
func Mask(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// String prints the settings with secrets masked.
func (c Config) String() string {
	return fmt.Sprintf("data=%s database=%s allow_private=%t proxy=%s", c.DataDir, Mask(c.Database()), c.AllowPrivate, Mask(c.Proxy))
}
