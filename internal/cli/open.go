package cli

import (
	"context"
	"fmt"

	"github.com/presswatch/presswatch/internal/config"
	"github.com/presswatch/presswatch/internal/jobs"
	"github.com/presswatch/presswatch/internal/store"
)

// schemaPolicy says what opening does with an outdated schema.
type schemaPolicy int

const (
	// requireCurrent refuses a stale schema, but migrates an empty database.
	requireCurrent schemaPolicy = iota
	// migrateAll applies every pending migration.
	migrateAll
)

// openStore validates cfg, opens the database and checks its schema. Its
// errors are one sentence that says what to do.
func openStore(ctx context.Context, cfg *config.Config, policy schemaPolicy) (*store.DB, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	db, err := store.Open(ctx, cfg.Database())
	if err != nil {
		return nil, fmt.Errorf("cannot open the database %s: %w", config.Mask(cfg.Database()), err)
	}
	cur, latest, err := db.SchemaVersion(ctx)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("cannot read the schema version of %s: %w", config.Mask(cfg.Database()), err)
	}
	if cur == latest {
		// The job queue's tables are River's own: make sure they exist even
		// when the database was migrated by something other than presswatch's
		// migrate (a restored backup, the seed tool). Idempotent and quick.
		if err := jobs.Migrate(ctx, db.WriterDB(), db.Engine()); err != nil {
			db.Close()
			return nil, fmt.Errorf("migrating the job queue: %w", err)
		}
		return db, nil
	}
	if cur > latest {
		db.Close()
		return nil, fmt.Errorf("the database schema is at version %d, newer than this presswatch (%d): run a newer presswatch", cur, latest)
	}
	if cur > 0 && policy == requireCurrent {
		db.Close()
		return nil, fmt.Errorf("the database schema is at version %d but this presswatch needs %d: back up the database, then run `presswatch migrate` (or start with `serve --migrate`)", cur, latest)
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("migrating the database: %w", err)
	}
	if err := jobs.Migrate(ctx, db.WriterDB(), db.Engine()); err != nil {
		db.Close()
		return nil, fmt.Errorf("migrating the job queue: %w", err)
	}
	return db, nil
}
