package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/homeward-project/homeward/exchange"
	"github.com/homeward-project/homeward/matching"
	"github.com/homeward-project/homeward/store"
	"github.com/homeward-project/homeward/web"
)

func init() {
	register(command{
		name:    "serve",
		summary: "serve the web application and the API",
		run:     runServe,
	})
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", envOr("HOMEWARD_ADDR", "127.0.0.1:8080"), "address to listen on (env HOMEWARD_ADDR)")
	dsn := dbFlag(fs)
	keys := addKeyFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("serve takes no arguments, got %q", fs.Arg(0))}
	}
	db, err := openDB(ctx, *dsn, &keys)
	if err != nil {
		return err
	}
	defer db.Close()
	if key, _ := keys.headKey(); key == nil {
		fmt.Fprintf(stderr, "warning: no key file at %s: the audit log's head is written unsigned, and events cut from its end would go unseen; “homeward party init” creates the key file\n", *keys.file)
	}
	// A wrong or missing key is refused now, not at the first bundle.
	id, err := keys.unlockIdentity(ctx, db)
	if err != nil {
		return err
	}
	return serveStore(ctx, db, id, *addr, stdout)
}

// Timeouts of the HTTP server: long enough for a large spreadsheet upload or
// export on a slow link, short enough that idle or stalled clients do not
// hold connections.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 5 * time.Minute
	writeTimeout      = 5 * time.Minute
	idleTimeout       = 2 * time.Minute
	shutdownTimeout   = 15 * time.Second
)

// serveStore serves db on addr until ctx is cancelled, then shuts down
// gracefully. On a database without users it first creates the administrator
// and prints the one-time password to stdout, with the address it listens on
// (addr may have port 0: the printed address has the real port). Logs go to
// stderr and carry IDs only, never names.
func serveStore(ctx context.Context, db *store.DB, id *exchange.Identity, addr string, stdout io.Writer) error {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	login, password, created, err := store.EnsureAdmin(ctx, db)
	if err != nil {
		return fmt.Errorf("create the first administrator: %w", err)
	}
	if created {
		fmt.Fprintf(stdout, "Created the administrator.\n  login:    %s\n  password: %s\nThis password is shown only once; change it after logging in.\n", login, password)
	}
	// Background matching: the web layer writes through services that
	// queue every new or changed record for the matcher.
	matcher, cases, located, err := startMatcher(ctx, db, log)
	if err != nil {
		return fmt.Errorf("start matching: %w", err)
	}
	defer matcher.Close()
	// Answers that say where a child is make located records inside the
	// list service's transactions; the matcher hears of them after commit.
	db.SetLocatedHook(matcher.LocatedCreated)
	lists := store.NewListService(db)
	linker := &matching.EntryLinker{Lists: lists, Loader: &matching.ServiceLoader{
		OrgService: store.NewOrgService(db), CaseService: store.NewCaseService(db), LocatedService: store.NewLocatedService(db)}}
	bundles := exchange.NewService(exchange.ServiceConfig{Identity: id, Parties: store.NewPartyService(db),
		Ledger: store.NewBundleLedger(db), Linker: linker, Logger: log})
	if id == nil {
		log.Info("no party identity: bundles cannot be made or opened until “homeward party init”")
	}
	uploads := store.NewUploadService(db)
	go purgeUploads(ctx, uploads, log)
	srv := web.NewServer(web.Config{
		Orgs:    store.NewOrgService(db),
		Users:   store.NewUserService(db),
		Cases:   cases,
		Located: located,
		Events:  store.NewEventService(db),
		Uploads: uploads,

		Matches:     store.NewMatchService(db),
		Workflow:    store.NewWorkflowService(db),
		Attachments: store.NewAttachmentService(db),

		Parties: store.NewPartyService(db),
		Lists:   lists,
		Welfare: store.NewWelfareService(db),
		Bundles: bundles,
		Linker:  linker,

		Logger: log,
	})
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	hs := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	fmt.Fprintf(stdout, "Homeward is listening on http://%s\n", ln.Addr())
	log.Info("listening", "addr", ln.Addr().String(), "dialect", db.Dialect())

	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("shut down: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// uploadPurgeInterval is how often the server deletes expired uploads, so
// that an abandoned spreadsheet is gone soon after store.UploadTTL even
// when nobody imports anything.
const uploadPurgeInterval = 5 * time.Minute

func purgeUploads(ctx context.Context, uploads *store.UploadService, log *slog.Logger) {
	t := time.NewTicker(uploadPurgeInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := uploads.PurgeExpiredUploads(ctx); err != nil && ctx.Err() == nil {
				log.Warn("purge uploads", "err", err)
			}
		}
	}
}
