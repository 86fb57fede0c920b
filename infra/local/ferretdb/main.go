// Command guichet-ferretdb runs an embedded FerretDB (MongoDB wire protocol on top of SQLite or
// PostgreSQL) for Guichet's local stack and tests, where no mongod can be had.
//
// It embeds github.com/FerretDB/FerretDB/ferretdb rather than building FerretDB's own cmd/ferretdb,
// whose module lacks the generated build/version/version.txt and panics at start.
//
// Every flag can also be set through the environment variable named in its help text; a flag
// given on the command line wins. The embedded package never reports telemetry, keeps its state in
// memory only and has no debug HTTP listener.
//
// With -ping ADDR it does not serve: it connects to ADDR with the MongoDB Go driver, runs
// {ping: 1} and exits 0 on success, 1 otherwise. Scripts use it to wait for a real answer.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
)

// envOr returns the value of the environment variable name, or def when it is unset or empty.
func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func main() {
	fs := flag.NewFlagSet("guichet-ferretdb", flag.ExitOnError)
	var (
		listenAddr = fs.String("listen-addr", envOr("FERRETDB_LISTEN_ADDR", "127.0.0.1:27017"),
			"TCP address to listen on; empty disables TCP (env FERRETDB_LISTEN_ADDR)")
		listenUnix = fs.String("listen-unix", envOr("FERRETDB_LISTEN_UNIX", ""),
			"Unix socket path to listen on; empty disables it (env FERRETDB_LISTEN_UNIX)")
		handler = fs.String("handler", envOr("FERRETDB_HANDLER", "sqlite"),
			"backend handler: sqlite or postgresql (env FERRETDB_HANDLER)")
		sqliteDir = fs.String("sqlite-dir", envOr("FERRETDB_SQLITE_DIR", "data"),
			"directory holding the SQLite databases, created if missing (env FERRETDB_SQLITE_DIR)")
		sqliteURL = fs.String("sqlite-url", envOr("FERRETDB_SQLITE_URL", ""),
			"SQLite URI (file:<dir>/...), overrides -sqlite-dir (env FERRETDB_SQLITE_URL)")
		postgresqlURL = fs.String("postgresql-url", envOr("FERRETDB_POSTGRESQL_URL", "postgres://127.0.0.1:5432/ferretdb"),
			"PostgreSQL connection string for the postgresql handler (env FERRETDB_POSTGRESQL_URL)")
		logLevel = fs.String("log-level", envOr("FERRETDB_LOG_LEVEL", "info"),
			"log level: debug, info, warn or error (env FERRETDB_LOG_LEVEL)")
		ping = fs.String("ping", "",
			"do not serve: ping the MongoDB-compatible server at HOST:PORT (or a mongodb:// URI) and exit 0 when it answers")
		pingTimeout = fs.Duration("ping-timeout", 3*time.Second, "time limit of -ping")
	)
	_ = fs.Parse(os.Args[1:])
	if fs.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "guichet-ferretdb: unexpected arguments: %s\n", strings.Join(fs.Args(), " "))
		os.Exit(2)
	}

	if *ping != "" {
		if err := doPing(*ping, *pingTimeout); err != nil {
			fmt.Fprintf(os.Stderr, "guichet-ferretdb: ping %s: %s\n", *ping, err)
			os.Exit(1)
		}
		fmt.Println("ok")
		return
	}

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fmt.Fprintf(os.Stderr, "guichet-ferretdb: bad -log-level %q: %s\n", *logLevel, err)
		os.Exit(2)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	cfg := &ferretdb.Config{
		Listener: ferretdb.ListenerConfig{TCP: *listenAddr, Unix: *listenUnix},
		Logger:   logger,
		Handler:  *handler,
	}
	switch *handler {
	case "sqlite":
		u, err := sqliteURI(*sqliteURL, *sqliteDir)
		if err != nil {
			logger.Error("bad SQLite location", "error", err)
			os.Exit(2)
		}
		cfg.SQLiteURL = u
		logger.Info("starting FerretDB", "handler", "sqlite", "sqlite_url", u, "listen", *listenAddr)
	case "postgresql":
		cfg.PostgreSQLURL = *postgresqlURL
		logger.Info("starting FerretDB", "handler", "postgresql", "listen", *listenAddr)
	default:
		logger.Error("unknown handler, expected sqlite or postgresql", "handler", *handler)
		os.Exit(2)
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		logger.Info("signal received, shutting down")
		stop() // a second signal then ends the process at once
	}()

	f, err := ferretdb.New(cfg)
	if err != nil {
		logger.Error("cannot start FerretDB", "error", err)
		os.Exit(1)
	}
	if err := f.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
		logger.Error("FerretDB stopped with an error", "error", err)
		os.Exit(1)
	}
	logger.Info("FerretDB stopped")
}

// sqliteURI returns explicit when set, otherwise a file: URI for dir (made absolute and created).
// FerretDB requires an existing directory and a path ending with "/".
func sqliteURI(explicit, dir string) (string, error) {
	if explicit != "" {
		return explicit, nil
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return "", err
	}
	u := url.URL{Scheme: "file", Path: abs + "/", OmitHost: true}
	return u.String(), nil
}

// doPing connects to target and runs {ping: 1} against the admin database.
func doPing(target string, timeout time.Duration) error {
	uri := target
	if !strings.Contains(uri, "://") {
		uri = "mongodb://" + target + "/"
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()

	opts := options.Client().ApplyURI(uri).
		SetDirect(true).
		SetServerSelectionTimeout(timeout).
		SetConnectTimeout(timeout)
	client, err := mongo.Connect(ctx, opts)
	if err != nil {
		return err
	}
	defer func() { _ = client.Disconnect(context.Background()) }()

	return client.Database("admin").RunCommand(ctx, bson.D{{Key: "ping", Value: 1}}).Err()
}
