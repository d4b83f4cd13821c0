// Command homeward is the one binary of Homeward: it serves the web application
// and API, loads a demo, imports and exports spreadsheets, links records, prints
// name forms and verifies the audit trail. It owns flags and environment
// variables; nothing below it reads the environment.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"

	"github.com/homeward-project/homeward"
)

// command is one subcommand. Each lives in a file of its own and registers
// itself in init, so that adding one touches no other file.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

var commands = map[string]command{}

func register(c command) { commands[c.name] = c }

// usageError marks an error in the command line: exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "homeward: unknown command %q\n\n", args[0])
		usage(stderr)
		return 2
	}
	err := c.run(ctx, args[1:], stdout, stderr)
	if err == nil {
		return 0
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	fmt.Fprintf(stderr, "homeward %s: %s\n", c.name, errorText(err))
	return exitCode(err)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: homeward COMMAND [options]\n\nCommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'homeward COMMAND -h' for a command's options.")
}

// errorText shows a domain error's user-safe message, and other errors whole:
// on the command line the operator is the user.
func errorText(err error) string {
	var e *homeward.Error
	if errors.As(err, &e) {
		if e.Field != "" {
			return fmt.Sprintf("%s (field %s)", e.Message, e.Field)
		}
		return e.Message
	}
	return err.Error()
}

// exitCode maps errors to exit statuses in one place.
func exitCode(err error) int {
	var ue usageError
	if errors.As(err, &ue) {
		return 2
	}
	switch homeward.ErrorCode(err) {
	case homeward.EINVALID:
		return 3
	case homeward.ENOTFOUND:
		return 4
	case homeward.ECONFLICT:
		return 5
	case homeward.EFORBIDDEN, homeward.EUNAUTHORIZED:
		return 6
	}
	return 1
}

// envOr returns the environment variable's value, or def when it is unset.
func envOr(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}
