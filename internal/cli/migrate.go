package cli

import (
	"context"
	"fmt"

	"github.com/presswatch/presswatch/internal/config"
)

func runMigrate(ctx context.Context, env *Env, args []string) int {
	var cfg config.Config
	fs := newFlags(env, "migrate", "migrate [--data DIR] [--database URL]")
	cfg.Register(fs, env.Getenv)
	if code := parse(fs, args); code >= 0 {
		return code
	}
	if fs.NArg() > 0 {
		return usageError(env, fs, "migrate takes no arguments")
	}
	db, err := openStore(ctx, &cfg, migrateAll)
	if err != nil {
		return fail(env, err)
	}
	defer db.Close()
	cur, _, err := db.SchemaVersion(ctx)
	if err != nil {
		return fail(env, err)
	}
	fmt.Fprintf(env.Stdout, "The database is at schema version %d.\n", cur)
	return 0
}
