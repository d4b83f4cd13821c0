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
	"net/netip"
	"os"
	"strings"
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
	opts := addServeFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("serve takes no arguments, got %q", fs.Arg(0))}
	}
	if err := opts.parse(); err != nil {
		return err
	}
	db, err := openDB(ctx, *dsn, &keys, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	if db.Dialect() == store.DialectSQLite {
		release, err := lockServe(*dsn)
		if err != nil {
			return err
		}
		defer release()
	}
	if key, _ := keys.headKey(); key == nil {
		fmt.Fprintf(stderr, "warning: no key file at %s: the audit log's head is written unsigned, and events cut from its end would go unseen; “homeward party init” creates the key file\n", *keys.file)
	}
	// A wrong or missing key is refused now, not at the first bundle.
	id, err := keys.unlockIdentity(ctx, db)
	if err != nil {
		return err
	}
	return serveStore(ctx, db, id, *addr, stdout, opts)
}

// serveOptions are how the server meets its network: behind TLS or not,
// behind which reverse proxies, and how long an unused session lives.
type serveOptions struct {
	secureCookies bool
	proxies       string
	idle          time.Duration
	trusted       []netip.Prefix
}

func addServeFlags(fs *flag.FlagSet) *serveOptions {
	o := &serveOptions{}
	fs.BoolVar(&o.secureCookies, "secure-cookies", envOr("HOMEWARD_SECURE_COOKIES", "") == "true",
		"mark cookies Secure and send HSTS: set when clients reach the server over HTTPS (env HOMEWARD_SECURE_COOKIES=true)")
	fs.StringVar(&o.proxies, "trusted-proxy", envOr("HOMEWARD_TRUSTED_PROXY", ""),
		"comma-separated addresses or CIDR ranges of reverse proxies whose X-Forwarded-For names the client (env HOMEWARD_TRUSTED_PROXY)")
	fs.DurationVar(&o.idle, "session-idle", store.DefaultSessionIdle, "end a session unused for this long")
	return o
}

// parse checks the options once the flags are read.
func (o *serveOptions) parse() error {
	if o.idle <= 0 || o.idle > store.DefaultSessionTTL {
		return usageError{fmt.Sprintf("--session-idle must be between 1s and %v", store.DefaultSessionTTL)}
	}
	for _, p := range strings.Split(o.proxies, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if pre, err := netip.ParsePrefix(p); err == nil {
			o.trusted = append(o.trusted, pre.Masked())
			continue
		}
		a, err := netip.ParseAddr(p)
		if err != nil {
			return usageError{fmt.Sprintf("--trusted-proxy: %q is neither an address nor a CIDR range", p)}
		}
		a = a.Unmap()
		o.trusted = append(o.trusted, netip.PrefixFrom(a, a.BitLen()))
	}
	return nil
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
func serveStore(ctx context.Context, db *store.DB, id *exchange.Identity, addr string, stdout io.Writer, opts *serveOptions) error {
	if opts == nil {
		opts = &serveOptions{}
	}
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
	users := store.NewUserService(db)
	users.IdleTimeout = opts.idle
	srv := web.NewServer(web.Config{
		Orgs:    store.NewOrgService(db),
		Users:   users,
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

		Logger:         log,
		SecureCookies:  opts.secureCookies,
		TrustedProxies: opts.trusted,
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
