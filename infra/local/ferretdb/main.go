// Command guichet-ferretdb runs an embedded FerretDB (MongoDB wire protocol on top of SQLite or
// PostgreSQL) for Guichet's local stack and tests, where no mongod can be had.
//
// It embeds github.com/FerretDB/FerretDB/ferretdb rather than building FerretDB's own cmd/ferretdb,
// whose module lacks the generated build/version/version.txt and panics at start.
//
// Clients do not talk to FerretDB directly: FerretDB listens on a private Unix socket only, and
// -listen-addr is served by the atomic proxy (atomicproxy.go), which serialises write commands per
// collection so that single-document writes are atomic, as in MongoDB.
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
	"net"
	"net/http"
	"net/http/pprof"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
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

// envInt returns the integer in the environment variable name, or def when it is unset or not a number.
func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return n
	}
	return def
}

func main() {
	fs := flag.NewFlagSet("guichet-ferretdb", flag.ExitOnError)
	var (
		listenAddr = fs.String("listen-addr", envOr("FERRETDB_LISTEN_ADDR", "127.0.0.1:27017"),
			"TCP address clients connect to, served by the atomic proxy (env FERRETDB_LISTEN_ADDR)")
		backendSocket = fs.String("backend-socket", envOr("FERRETDB_BACKEND_SOCKET", ""),
			"Unix socket FerretDB itself listens on, behind the proxy; default: in a private temporary directory (env FERRETDB_BACKEND_SOCKET)")
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
		maxWrites = fs.Int("max-writes", envInt("FERRETDB_MAX_WRITES", DefaultMaxWrites),
			"writes the proxy lets into FerretDB at once; keep it below the PostgreSQL pool size (env FERRETDB_MAX_WRITES)")
		pprofAddr = fs.String("pprof-addr", envOr("FERRETDB_PPROF_ADDR", ""),
			"when set, serve Go's profiles (/debug/pprof/) on this address, e.g. 127.0.0.1:6060, to see where FerretDB spends its time (env FERRETDB_PPROF_ADDR)")
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

	if *listenAddr == "" {
		logger.Error("-listen-addr is required")
		os.Exit(2)
	}
	if *pprofAddr != "" {
		servePprof(logger, *pprofAddr)
	}
	if *maxWrites < 1 {
		logger.Error("-max-writes must be at least 1")
		os.Exit(2)
	}
	if err := run(logger, *listenAddr, *backendSocket, *handler, *sqliteURL, *sqliteDir, *postgresqlURL, *maxWrites); err != nil {
		logger.Error("stopped with an error", "error", err)
		os.Exit(1)
	}
	logger.Info("FerretDB stopped")
}

// run starts FerretDB on a Unix socket and the atomic proxy on listenAddr, and serves until
// SIGINT or SIGTERM. It then stops accepting, closes the client connections, and stops FerretDB.
func run(logger *slog.Logger, listenAddr, socket, handler, sqliteURL, sqliteDir, postgresqlURL string, maxWrites int) error {
	if socket == "" {
		dir, err := os.MkdirTemp("", "guichet-ferretdb-") // mode 0700: only we can reach FerretDB
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		socket = filepath.Join(dir, "ferretdb.sock")
	} else if fi, err := os.Lstat(socket); err == nil && fi.Mode()&os.ModeSocket != 0 {
		_ = os.Remove(socket) // left over by a killed instance
	}

	cfg := &ferretdb.Config{
		Listener: ferretdb.ListenerConfig{Unix: socket},
		Logger:   logger,
		Handler:  handler,
	}
	switch handler {
	case "sqlite":
		u, err := sqliteURI(sqliteURL, sqliteDir)
		if err != nil {
			return fmt.Errorf("bad SQLite location: %w", err)
		}
		cfg.SQLiteURL = u
		logger.Info("starting FerretDB", "handler", "sqlite", "sqlite_url", u, "listen", listenAddr, "backend_socket", socket)
	case "postgresql":
		cfg.PostgreSQLURL = postgresqlURL
		logger.Info("starting FerretDB", "handler", "postgresql", "listen", listenAddr, "backend_socket", socket)
	default:
		return fmt.Errorf("unknown handler %q, expected sqlite or postgresql", handler)
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	stopLog := context.AfterFunc(ctx, func() {
		logger.Info("signal received, shutting down")
		stop() // a second signal then ends the process at once
	})
	defer stopLog()

	// Take the public address first, so that a busy port fails before FerretDB opens anything.
	ln, err := net.Listen("tcp", listenAddr)
	if err != nil {
		return err
	}
	defer ln.Close()

	f, err := ferretdb.New(cfg) // already listens on the socket; Run accepts
	if err != nil {
		return fmt.Errorf("cannot start FerretDB: %w", err)
	}
	// FerretDB gets its own context: it must outlive the proxy, which drains into it on shutdown.
	ferretCtx, stopFerret := context.WithCancel(context.Background())
	ferretDone := make(chan error, 1)
	go func() { ferretDone <- f.Run(ferretCtx) }()

	proxy := &AtomicProxy{
		Dial: func(ctx context.Context) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", socket)
		},
		Logger:        logger,
		MaxWrites:     maxWrites,
		DocumentLocks: handler == "postgresql",
	}
	logger.Info("atomic proxy listening", "addr", ln.Addr().String(), "max_writes", maxWrites, "document_locks", proxy.DocumentLocks)
	err = proxy.Serve(ctx, ln) // until a signal; then it closes ln and every client connection

	stopFerret()
	if e := <-ferretDone; err == nil && !errors.Is(e, context.Canceled) {
		err = e
	}
	return err
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

// servePprof serves net/http/pprof's handlers on addr in the background, for profiling only.
func servePprof(logger *slog.Logger, addr string) {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	logger.Info("profiles served", "addr", "http://"+addr+"/debug/pprof/")
	go func() {
		if err := http.ListenAndServe(addr, mux); err != nil { //nolint:gosec // local profiling only
			logger.Error("profiles not served", "error", err)
		}
	}()
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
