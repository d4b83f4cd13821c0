package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/homeward-project/homeward/names"
)

func init() {
	register(command{
		name:    "names",
		summary: "show a name's script, transliterations and keys, or compare names",
		run:     runNames,
	})
}

const namesUsage = `Usage:
  homeward names NAME               script, normal form, transliterations or Cyrillic readings,
                                    known forms and diminutives of given names, blocking keys
  homeward names compare A B        similarity of two names and the reason
  homeward names compare --in FILE  compare the pairs of FILE (- for standard input): lines A<TAB>B,
                                    written back as A<TAB>B<TAB>similarity<TAB>reason, in order
`

func runNames(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stderr, namesUsage)
		if len(args) == 0 {
			return usageError{"a name or 'compare' is required"}
		}
		return flag.ErrHelp
	}
	if args[0] == "compare" {
		return runNamesCompare(ctx, args[1:], stdout, stderr)
	}
	return showName(strings.Join(args, " "), stdout)
}

func showName(s string, w io.Writer) error {
	if strings.TrimSpace(s) == "" {
		return usageError{"the name is empty"}
	}
	n := names.Prepare(s)
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "name:       %s\n", s)
	fmt.Fprintf(bw, "normalised: %s\n", n.Normalized())
	fmt.Fprintf(bw, "script:     %s\n", n.Script())
	switch sc := n.Script(); sc {
	case names.ScriptLatin:
		fmt.Fprintln(bw, "cyrillic readings:")
		for _, c := range names.Reverse(s, 10) {
			fmt.Fprintf(bw, "  %s\n", c)
		}
	case names.ScriptUkrainian, names.ScriptRussian, names.ScriptCyrillic, names.ScriptMixed:
		fmt.Fprintln(bw, "transliterations:")
		for _, sys := range names.Systems() {
			if sys.For(sc) {
				fmt.Fprintf(bw, "  %-58s %s\n", sys.Name, sys.Transliterate(s))
			}
		}
	}
	for _, part := range strings.FieldsFunc(n.Normalized(), func(r rune) bool { return r == ' ' || r == '-' }) {
		full, dims := names.GivenNameForms(part)
		if full == nil {
			continue
		}
		fmt.Fprintf(bw, "given name %s: %s\n", part, strings.Join(full, ", "))
		if len(dims) > 0 {
			fmt.Fprintf(bw, "  diminutives: %s\n", strings.Join(dims, ", "))
		}
	}
	fmt.Fprint(bw, "keys:      ")
	for _, k := range n.Keys() {
		fmt.Fprintf(bw, " %016x", k)
	}
	fmt.Fprintln(bw)
	return bw.Flush()
}

func runNamesCompare(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("names compare", flag.ContinueOnError)
	fs.SetOutput(stderr)
	in := fs.String("in", "", "compare the pairs in `FILE` (lines A<TAB>B; - for standard input)")
	fs.Usage = func() { fmt.Fprint(stderr, namesUsage) }
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	if *in == "" {
		if fs.NArg() != 2 {
			return usageError{"names compare needs two names, or --in FILE"}
		}
		s := names.Compare(fs.Arg(0), fs.Arg(1))
		_, err := fmt.Fprintf(stdout, "%.3f\t%s\n", s.Score, s.Explain())
		return err
	}
	if fs.NArg() != 0 {
		return usageError{"names compare --in takes no names"}
	}
	var r io.Reader = os.Stdin
	if *in != "-" {
		f, err := os.Open(*in)
		if err != nil {
			return err
		}
		defer f.Close()
		r = f
	}
	return comparePairs(ctx, r, stdout)
}

// comparePairs writes one line for each input line, in order; a line
// without a tab is compared with the empty name.
func comparePairs(ctx context.Context, r io.Reader, w io.Writer) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	bw := bufio.NewWriter(w)
	line := 0
	for sc.Scan() {
		line++
		if line%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		text := strings.TrimSuffix(sc.Text(), "\r")
		a, b, _ := strings.Cut(text, "\t")
		b, _, _ = strings.Cut(b, "\t")
		s := names.Compare(a, b)
		fmt.Fprintf(bw, "%s\t%s\t%.3f\t%s\n", a, b, s.Score, s.Explain())
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read line %d: %w", line+1, err)
	}
	return bw.Flush()
}
