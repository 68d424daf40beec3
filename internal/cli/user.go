package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/presswatch/presswatch/internal/config"
	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/editorial"
)

func runUser(ctx context.Context, env *Env, args []string) int {
	if len(args) == 0 {
		fmt.Fprintln(env.Stderr, "Usage: presswatch user add --email E --role admin|editor|reviewer [--name N] [--password-stdin]\n       presswatch user passwd --email E [--password-stdin]")
		return 2
	}
	switch args[0] {
	case "add":
		return runUserAdd(ctx, env, args[1:])
	case "passwd":
		return runUserPasswd(ctx, env, args[1:])
	}
	fmt.Fprintf(env.Stderr, "presswatch: unknown user command %q: use add or passwd\n", args[0])
	return 2
}

func runUserAdd(ctx context.Context, env *Env, args []string) int {
	var cfg config.Config
	fs := newFlags(env, "user add", "user add --email E --role admin|editor|reviewer [--name N] [--password-stdin]")
	cfg.Register(fs, env.Getenv)
	email := fs.String("email", "", "the user's e-mail address (their login)")
	role := fs.String("role", "", "admin, editor or reviewer")
	name := fs.String("name", "", "the user's name as colleagues see it")
	fromStdin := fs.Bool("password-stdin", false, "read the password from standard input instead of generating a one-time password")
	if code := parse(fs, args); code >= 0 {
		return code
	}
	if *email == "" || *role == "" {
		return usageError(env, fs, "user add needs --email and --role")
	}
	if !domain.OneOf(*role, domain.Roles) {
		return usageError(env, fs, "unknown role %q: use admin, editor or reviewer", *role)
	}
	pw, generated, err := readPassword(env.Stdin, *fromStdin)
	if err != nil {
		return fail(env, err)
	}
	db, err := openStore(ctx, &cfg, requireCurrent)
	if err != nil {
		return fail(env, err)
	}
	defer db.Close()
	svc := editorial.New(db, db, db, db, db, nil)
	u, err := svc.CreateUser(ctx, nil, *email, *name, *role, pw)
	if err != nil {
		return fail(env, err)
	}
	if !generated {
		// The operator chose this password: it need not be changed at first sign-in.
		u.MustChangePW = false
		if err := db.UpdateUser(ctx, u, nil, "user.password_chosen"); err != nil {
			return fail(env, err)
		}
	}
	fmt.Fprintf(env.Stdout, "Created %s %s (id %d).\n", u.Role, u.Email, u.ID)
	if generated {
		fmt.Fprintf(env.Stdout, "One-time password: %s\nIt must be changed at the first sign-in", pw)
		if u.NeedsTOTP() {
			fmt.Fprint(env.Stdout, ", where an authenticator app is also set up")
		}
		fmt.Fprintln(env.Stdout, ".")
	}
	return 0
}

func runUserPasswd(ctx context.Context, env *Env, args []string) int {
	var cfg config.Config
	fs := newFlags(env, "user passwd", "user passwd --email E [--password-stdin]")
	cfg.Register(fs, env.Getenv)
	email := fs.String("email", "", "the user's e-mail address")
	fromStdin := fs.Bool("password-stdin", false, "read the new password from standard input instead of generating a one-time password")
	if code := parse(fs, args); code >= 0 {
		return code
	}
	if *email == "" {
		return usageError(env, fs, "user passwd needs --email")
	}
	pw, generated, err := readPassword(env.Stdin, *fromStdin)
	if err != nil {
		return fail(env, err)
	}
	db, err := openStore(ctx, &cfg, requireCurrent)
	if err != nil {
		return fail(env, err)
	}
	defer db.Close()
	svc := editorial.New(db, db, db, db, db, nil)
	u, err := db.FindUserByEmail(ctx, strings.ToLower(*email))
	if err != nil {
		return fail(env, err)
	}
	if err := svc.ChangePassword(ctx, nil, u.ID, "", pw); err != nil {
		return fail(env, err)
	}
	fmt.Fprintf(env.Stdout, "Password of %s reset; all of their sessions ended.\n", u.Email)
	if generated {
		fmt.Fprintf(env.Stdout, "One-time password: %s\nIt must be changed at the next sign-in.\n", pw)
	}
	return 0
}

// readPassword reads one line from stdin, or generates a one-time password.
func readPassword(stdin io.Reader, fromStdin bool) (pw string, generated bool, err error) {
	if !fromStdin {
		return editorial.NewPassword(), true, nil
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", false, fmt.Errorf("reading the password from standard input: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", false, fmt.Errorf("standard input held no password")
	}
	return line, false, nil
}
