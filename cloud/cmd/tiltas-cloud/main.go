// Command tiltas-cloud is the Tiltas sync API and back office.
//
//	tiltas-cloud serve --listen ADDR --db URL
//	tiltas-cloud tenant create --name NAME
//	tiltas-cloud agent enroll --tenant NAME --store CODE [--store-name NAME]
//	tiltas-cloud token create --tenant NAME [--name LABEL]
//	tiltas-cloud version
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
	_ "time/tzdata" // shops' zones on machines without tzdata (Windows)

	"tiltas/cloud/books"
	"tiltas/cloud/db"
	"tiltas/cloud/market"
	_ "tiltas/cloud/market/all" // the marketplaces the scheduler pulls and market add checks
	"tiltas/cloud/secrets"
	"tiltas/cloud/server"
	"tiltas/cloud/version"
)

// usage is the help text. It is made after every imported package has initialized, so it names
// the marketplace kinds market/all registered.
var usage = `tiltas-cloud: the Tiltas sync API and back office

  tiltas-cloud serve  [--listen 127.0.0.1:8080] [--db URL] [--secrets-key FILE] [--tls-cert F --tls-key F | --behind-tls-proxy]
                      [--tz Europe/Vilnius] [--post=false] [--pull=false]
  tiltas-cloud tenant create --name NAME [--db URL]
  tiltas-cloud agent enroll --tenant NAME --store CODE [--store-name NAME] [--db URL]
  tiltas-cloud agent revoke --tenant NAME --store CODE [--db URL]        (a stolen or retired agent)
  tiltas-cloud token create --tenant NAME [--name LABEL] [--db URL]
  tiltas-cloud token list   --tenant NAME [--db URL]
  tiltas-cloud token revoke --tenant NAME --id N [--db URL]
  tiltas-cloud user add --tenant NAME --email E [--name N] [--role accountant|viewer]   (password from $TILTAS_PASSWORD or stdin)
  tiltas-cloud market add --tenant NAME --kind ` + kindNames("|") + ` --name NAME --config JSON|@FILE [--every 15m] [--db URL] [--secrets-key FILE]
  tiltas-cloud version                                                   (also --version)

--db is sqlite:PATH (default sqlite:tiltas-data/cloud.db, or $TILTAS_DB) or
mysql://user:pass@tcp(host:3306)/dbname.

--secrets-key (or $TILTAS_SECRETS_KEY) is the file whose key seals marketplace credentials in
the database. It is created (0600) when missing; by default it sits beside a SQLite database as
secrets.key, and a MySQL database needs it named. Keep it out of the database's backups, and
keep a copy: without it the stored credentials cannot be read.

serve books in the background. --post=false stops it booking receipts and Z reports (they are
still received and kept, and booked once a serve with --post runs). --pull=false stops it
pulling marketplace orders; orders are booked as they are pulled, so they wait too. Both are on
by default.
`

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(os.Args[1:], log); err != nil {
		fmt.Fprintln(os.Stderr, "tiltas-cloud:", err)
		os.Exit(1)
	}
}

// kindNames are the names of the registered marketplace kinds, joined by sep.
func kindNames(sep string) string {
	var names []string
	for _, k := range market.Kinds() {
		names = append(names, k.Name)
	}
	return strings.Join(names, sep)
}

func defaultDB() string {
	if v := os.Getenv("TILTAS_DB"); v != "" {
		return v
	}
	return "sqlite:tiltas-data/cloud.db"
}

func run(args []string, log *slog.Logger) error {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, usage)
		return errors.New("no command given")
	}
	if args[0] == "version" || args[0] == "--version" || args[0] == "-version" {
		fmt.Println("tiltas-cloud", version.Version)
		return nil
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cmd := args[0]
	if len(args) > 1 && (cmd == "tenant" || cmd == "agent" || cmd == "token" || cmd == "market" || cmd == "user") {
		cmd += " " + args[1]
		args = args[1:]
	}
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	dbURL := fs.String("db", defaultDB(), "database URL: sqlite:PATH or mysql://user:pass@tcp(host:3306)/db")
	secretsKey := fs.String("secrets-key", os.Getenv("TILTAS_SECRETS_KEY"), "key file sealing marketplace credentials (created 0600 when missing; default beside a SQLite database)")
	switch cmd {
	case "serve":
		listen := fs.String("listen", "127.0.0.1:8080", "address to listen on")
		cert := fs.String("tls-cert", "", "TLS certificate file (PEM)")
		key := fs.String("tls-key", "", "TLS key file (PEM)")
		proxied := fs.Bool("behind-tls-proxy", false, "plain HTTP on a non-loopback address because a TLS proxy is in front")
		zone := fs.String("tz", "Europe/Vilnius", "the shops' time zone: document dates and plain dates in API queries are days there")
		post := fs.Bool("post", true, "book receipts and Z reports into documents in the background")
		pull := fs.Bool("pull", true, "pull marketplace orders when due, and book them, in the background")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		return serve(ctx, log, *dbURL, *secretsKey, *listen, *cert, *key, *proxied, *zone, *post, *pull)
	case "tenant create":
		name := fs.String("name", "", "tenant (company) name")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		return withDB(ctx, *dbURL, func(st *db.DB) error {
			t, err := st.CreateTenant(ctx, *name)
			if err == nil {
				fmt.Printf("tenant %q created (id %d)\n", t.Name, t.ID)
			}
			return err
		})
	case "agent enroll":
		tenant := fs.String("tenant", "", "tenant name")
		code := fs.String("store", "", "store code, as in the agent config")
		name := fs.String("store-name", "", "store name (default: the code)")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		return printToken(ctx, *dbURL, *tenant, "agent token for store "+*code, func(st *db.DB, tenantID int64) (string, error) {
			return st.EnrollAgent(ctx, tenantID, *code, *name)
		})
	case "token create":
		tenant := fs.String("tenant", "", "tenant name")
		name := fs.String("name", "api", "a label for the token")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		return printToken(ctx, *dbURL, *tenant, "API token", func(st *db.DB, tenantID int64) (string, error) {
			return st.CreateAPIToken(ctx, tenantID, *name)
		})
	case "agent revoke":
		tenant := fs.String("tenant", "", "tenant name")
		code := fs.String("store", "", "store code")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		return withTenant(ctx, *dbURL, *tenant, func(st *db.DB, tenantID int64) error {
			n, err := st.RevokeAgentTokens(ctx, tenantID, *code)
			if err == nil {
				fmt.Printf("revoked %d agent token(s) of store %s; enroll it again for a new one\n", n, *code)
			}
			return err
		})
	case "token list":
		tenant := fs.String("tenant", "", "tenant name")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		return withTenant(ctx, *dbURL, *tenant, func(st *db.DB, tenantID int64) error {
			ts, err := st.APITokens(ctx, tenantID)
			for _, t := range ts {
				state := "active"
				if t.Revoked != nil {
					state = "revoked " + t.Revoked.Format(time.RFC3339)
				}
				fmt.Printf("%d\t%s\tcreated %s\t%s\n", t.ID, t.Name, t.Created.Format(time.RFC3339), state)
			}
			return err
		})
	case "token revoke":
		tenant := fs.String("tenant", "", "tenant name")
		id := fs.Int64("id", 0, "the token's id (tiltas-cloud token list)")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		return withTenant(ctx, *dbURL, *tenant, func(st *db.DB, tenantID int64) error {
			err := st.RevokeAPIToken(ctx, tenantID, *id)
			if err == nil {
				fmt.Printf("API token %d revoked\n", *id)
			}
			return err
		})
	case "user add":
		tenant := fs.String("tenant", "", "tenant name")
		email := fs.String("email", "", "the user's e-mail (sign-in name)")
		name := fs.String("name", "", "the user's name")
		role := fs.String("role", "accountant", "accountant (may change things) or viewer (only looks)")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		password := os.Getenv("TILTAS_PASSWORD")
		if password == "" {
			fmt.Fprint(os.Stderr, "password (at least 10 characters): ")
			line, _ := bufio.NewReader(os.Stdin).ReadString('\n')
			password = strings.TrimRight(line, "\r\n")
		}
		return withDB(ctx, *dbURL, func(st *db.DB) error {
			t, err := st.TenantByName(ctx, *tenant)
			if err != nil {
				return err
			}
			if err := st.CreateUser(ctx, t.ID, *email, *name, password, *role); err != nil {
				return err
			}
			fmt.Printf("user %s (%s) can sign in to the web UI\n", *email, *role)
			return nil
		})
	case "market add":
		tenant := fs.String("tenant", "", "tenant name")
		kind := fs.String("kind", "", "the marketplace: "+kindNames(" or "))
		name := fs.String("name", "", "a name for the account")
		config := fs.String("config", "", "the account's config as JSON (endpoints and credentials), or @FILE")
		every := fs.Duration("every", 15*time.Minute, "how often to pull")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		cfg := []byte(*config)
		if strings.HasPrefix(*config, "@") {
			var err error
			if cfg, err = os.ReadFile(strings.TrimPrefix(*config, "@")); err != nil {
				return err
			}
		}
		st, err := openSealed(ctx, log, *dbURL, *secretsKey, nil)
		if err != nil {
			return err
		}
		defer st.Close()
		t, err := st.TenantByName(ctx, *tenant)
		if err != nil {
			return err
		}
		id, err := market.AddAccount(ctx, st, t.ID, *kind, *name, cfg, *every)
		if err == nil {
			fmt.Printf("marketplace account %q added (id %d); pulled every %s\n", *name, id, *every)
		}
		return err
	default:
		fmt.Fprint(os.Stderr, usage)
		return fmt.Errorf("unknown command %q", cmd)
	}
}

// printToken makes a token for the named tenant and prints it once: only its hash is kept.
func printToken(ctx context.Context, url, tenant, what string, make func(*db.DB, int64) (string, error)) error {
	return withDB(ctx, url, func(st *db.DB) error {
		t, err := st.TenantByName(ctx, tenant)
		if err != nil {
			return err
		}
		tok, err := make(st, t.ID)
		if err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "%s of %s (shown once; only its hash is kept):\n", what, t.Name)
		fmt.Println(tok)
		return nil
	})
}

// withTenant runs fn with the store and the named tenant's id.
func withTenant(ctx context.Context, url, tenant string, fn func(*db.DB, int64) error) error {
	return withDB(ctx, url, func(st *db.DB) error {
		t, err := st.TenantByName(ctx, tenant)
		if err != nil {
			return err
		}
		return fn(st, t.ID)
	})
}

func withDB(ctx context.Context, url string, fn func(*db.DB) error) error {
	st, err := db.Open(ctx, url, db.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	return fn(st)
}

// secretsBox loads the key that seals marketplace credentials from keyPath (by default
// secrets.key beside a SQLite database), creating it when missing.
func secretsBox(dbURL, keyPath string) (*secrets.Box, string, error) {
	if keyPath == "" {
		path, ok := strings.CutPrefix(dbURL, "sqlite:")
		if !ok {
			return nil, "", errors.New("a MySQL database needs --secrets-key FILE (or $TILTAS_SECRETS_KEY): the key that seals marketplace credentials, kept outside the database (created 0600 when missing)")
		}
		keyPath = filepath.Join(filepath.Dir(path), "secrets.key")
	}
	box, err := secrets.LoadOrCreate(keyPath)
	return box, keyPath, err
}

// openSealed opens the database with its marketplace credentials sealed under the secrets key.
func openSealed(ctx context.Context, log *slog.Logger, dbURL, keyPath string, zone *time.Location) (*db.DB, error) {
	box, keyPath, err := secretsBox(dbURL, keyPath)
	if err != nil {
		return nil, err
	}
	st, err := db.Open(ctx, dbURL, db.Options{Zone: zone, Secrets: box})
	if err != nil {
		return nil, fmt.Errorf("secrets key %s: %w", keyPath, err)
	}
	if n := st.Sealed(); n > 0 {
		log.Info("sealed marketplace credentials stored in plain text", "accounts", n, "key", keyPath)
	}
	return st, nil
}

func serve(ctx context.Context, log *slog.Logger, dbURL, keyPath, listen, cert, key string, proxied bool, zoneName string, post, pull bool) error {
	zone, err := time.LoadLocation(zoneName)
	if err != nil {
		return fmt.Errorf("--tz %q: %w", zoneName, err)
	}
	tls := cert != "" || key != ""
	if tls && (cert == "" || key == "") {
		return errors.New("give both --tls-cert and --tls-key")
	}
	if !tls && !proxied && !isLoopback(listen) {
		return fmt.Errorf("refusing plain HTTP on %s: agent tokens would cross the network in clear; give --tls-cert and --tls-key, or --behind-tls-proxy if a TLS proxy is in front", listen)
	}
	st, err := openSealed(ctx, log, dbURL, keyPath, zone)
	if err != nil {
		return err
	}
	defer st.Close()
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", listen, err)
	}
	srv := &http.Server{
		Handler:           server.Handler(st, log, server.Options{Zone: zone, SecureCookies: tls || proxied}),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	scheme := "http"
	if tls {
		scheme = "https"
	}
	log.Info("tiltas-cloud serving", "version", version.Version, "url", scheme+"://"+ln.Addr().String(), "db", string(st.Dialect()), "posting", post, "pulling", pull)
	var jobs []func(context.Context)
	b := books.New(st)
	if post {
		jobs = append(jobs, (&books.Poster{Books: b, Log: log.With("component", "poster")}).Run)
	}
	if pull {
		jobs = append(jobs, (&market.Scheduler{Store: st, Books: b, Log: log.With("component", "market")}).Run)
	}
	// The poster and the scheduler write to the database: they are stopped and waited for
	// before it closes (defers run last first).
	defer background(ctx, jobs...)()
	errc := make(chan error, 1)
	go func() {
		if tls {
			errc <- srv.ServeTLS(ln, cert, key)
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(sctx) // websocket sessions are hijacked: they end when the process does
	return nil
}

// background runs each job in its own goroutine until ctx ends or stop is called; stop returns
// once every job has.
func background(ctx context.Context, jobs ...func(context.Context)) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for _, job := range jobs {
		wg.Go(func() { job(ctx) })
	}
	return func() {
		cancel()
		wg.Wait()
	}
}

func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
