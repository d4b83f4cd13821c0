package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/term"

	"github.com/homeward-project/homeward"
	"github.com/homeward-project/homeward/linkage"
)

func init() {
	register(command{
		name:    "link",
		summary: "link two files of records, or find duplicates in one",
		run:     runLink,
	})
}

// linkFlags are the options of homeward link; they may come before or after
// the files.
type linkFlags struct {
	model     string
	threshold float64
	explain   bool
	out       string
	saveModel string
	retrain   bool
	oneToOne  bool
	report    bool
	ageAsOf   string
	files     []string
}

func parseLinkArgs(args []string, stderr io.Writer) (*linkFlags, error) {
	f := &linkFlags{}
	fs := flag.NewFlagSet("link", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.model, "model", "", "model `FILE` (JSON); default: the built-in person model, trained on the input")
	fs.Float64Var(&f.threshold, "threshold", 0.5, "write pairs with match probability at least `P`")
	fs.BoolVar(&f.explain, "explain", false, "add an explanation column: each comparison's level and weight")
	fs.StringVar(&f.out, "out", "", "write pairs to `FILE` (CSV; - for standard output)")
	fs.StringVar(&f.saveModel, "save-model", "", "write the trained model to `FILE`")
	fs.BoolVar(&f.retrain, "retrain", false, "train m and u again even if the model holds trained values")
	fs.BoolVar(&f.oneToOne, "one-to-one", false, "keep each record in at most one pair (best first)")
	fs.BoolVar(&f.report, "report", false, "print training and blocking figures to standard error")
	fs.StringVar(&f.ageAsOf, "age-as-of", "", "the `DATE` (YYYY-MM-DD) estimated ages such as ~7 were stated at (~7@2025-05-01 carries its own); default: the model's, else today")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: homeward link [--model FILE] [--threshold P] [--explain] LEFT [RIGHT] --out PAIRS.csv")
		fmt.Fprintln(stderr, "\nLEFT and RIGHT are CSV or XLSX files with a header row and an id column; one file is deduplicated.")
		fmt.Fprintln(stderr, "A model without trained m and u values is trained on the input; a trained one keeps them")
		fmt.Fprintln(stderr, "and only re-estimates the prior. Options may come before or after the files.")
		fs.PrintDefaults()
	}
	// Flags may follow the files: parse, take the next file, parse again.
	rest := args
	for {
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usageError{err.Error()}
		}
		rest = fs.Args()
		if len(rest) == 0 {
			break
		}
		if rest[0] == "--" {
			f.files = append(f.files, rest[1:]...)
			break
		}
		f.files = append(f.files, rest[0])
		rest = rest[1:]
	}
	switch {
	case len(f.files) == 0:
		return nil, usageError{"link: no input file (usage: homeward link LEFT [RIGHT] --out PAIRS.csv)"}
	case len(f.files) > 2:
		return nil, usageError{fmt.Sprintf("link: %d input files, want one or two", len(f.files))}
	case f.out == "":
		return nil, usageError{"link: --out PAIRS.csv is required"}
	case f.threshold < 0 || f.threshold > 1:
		return nil, usageError{fmt.Sprintf("link: --threshold %g is not a probability", f.threshold)}
	}
	if f.ageAsOf != "" {
		if _, err := time.Parse(time.DateOnly, f.ageAsOf); err != nil {
			return nil, usageError{fmt.Sprintf("link: --age-as-of %q is not a date: write YYYY-MM-DD", f.ageAsOf)}
		}
	}
	return f, nil
}

func runLink(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f, err := parseLinkArgs(args, stderr)
	if err != nil {
		return err
	}
	model := linkage.PersonModel()
	if f.model != "" {
		if model, err = loadModel(f.model); err != nil {
			return err
		}
	}
	if f.retrain {
		model.Trained = false
	}
	// The date ages were stated at belongs to this input: a saved model
	// keeps only one its file gave.
	savedAsOf := model.AgeAsOf
	switch {
	case f.ageAsOf != "":
		model.AgeAsOf = f.ageAsOf
	case model.AgeAsOf == "":
		// Ages written today, the common case; --report says so.
		model.AgeAsOf = time.Now().Format(time.DateOnly)
	}
	prog := newProgress(stderr)
	defer prog.done()

	var left, right *linkage.Dataset
	prog.stage("reading " + filepath.Base(f.files[0]))
	if left, err = readTable(f.files[0]); err != nil {
		return err
	}
	if len(f.files) == 2 {
		prog.stage("reading " + filepath.Base(f.files[1]))
		if right, err = readTable(f.files[1]); err != nil {
			return err
		}
	}
	prog.stage("preparing records")
	lk, err := linkage.NewLinker(model, left, right)
	if err != nil {
		return inputError(err)
	}
	lk.Progress = prog.report
	prog.stage("training")
	trep, err := lk.Train(ctx)
	if err != nil {
		return err
	}
	pairs, brep, err := lk.Pairs(ctx, f.threshold)
	if err != nil {
		return err
	}
	if f.oneToOne {
		pairs = linkage.OneToOne(pairs)
	}
	prog.done()
	if f.report {
		printLinkReport(stderr, lk, trep, brep, len(pairs))
	}
	if f.saveModel != "" {
		m := lk.Model().Clone()
		m.AgeAsOf = savedAsOf
		if err := writeFileAtomic(f.saveModel, func(w io.Writer) error { return m.Write(w) }); err != nil {
			return fmt.Errorf("save model: %w", err)
		}
	}
	write := func(w io.Writer) error { return writePairs(w, lk, pairs, f.explain) }
	if f.out == "-" {
		return write(stdout)
	}
	return writeFileAtomic(f.out, write)
}

func loadModel(path string) (*linkage.Model, error) {
	r, err := os.Open(path)
	if err != nil {
		return nil, fileError(path, err)
	}
	defer r.Close()
	m, err := linkage.ReadModel(r)
	if err != nil {
		return nil, homeward.Errorf(homeward.EINVALID, "Model %s: %v", path, err)
	}
	return m, nil
}

// inputError turns the engine's complaints about input into the domain's
// vocabulary, so that the exit status says "bad input".
func inputError(err error) error {
	if errors.Is(err, linkage.ErrInput) || errors.Is(err, linkage.ErrModel) {
		return homeward.Errorf(homeward.EINVALID, "%v", err)
	}
	return err
}

func fileError(path string, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return homeward.Errorf(homeward.ENOTFOUND, "%s: no such file", path)
	}
	return homeward.Errorf(homeward.EINVALID, "%s: cannot read: %v", path, err)
}

// readTable reads a CSV or XLSX file (by its extension) with a header row.
func readTable(path string) (*linkage.Dataset, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".xlsx", ".xlsm":
		return readXLSX(path)
	}
	r, err := os.Open(path)
	if err != nil {
		return nil, fileError(path, err)
	}
	defer r.Close()
	d, err := linkage.ReadCSV(bufio.NewReaderSize(r, 1<<20))
	if errors.Is(err, linkage.ErrInput) {
		return nil, homeward.Errorf(homeward.EINVALID, "%s: %v", path, err)
	} else if err != nil {
		return nil, homeward.Errorf(homeward.EINVALID, "%s: cannot read: %v", path, err)
	}
	return d, nil
}

func readXLSX(path string) (*linkage.Dataset, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fileError(path, err)
	}
	x, err := excelize.OpenFile(path)
	if err != nil {
		return nil, homeward.Errorf(homeward.EINVALID, "%s: not a readable XLSX file: %v", path, err)
	}
	defer x.Close()
	sheets := x.GetSheetList()
	if len(sheets) == 0 {
		return nil, homeward.Errorf(homeward.EINVALID, "%s: no sheets", path)
	}
	rows, err := x.GetRows(sheets[0])
	if err != nil {
		return nil, homeward.Errorf(homeward.EINVALID, "%s: %v", path, err)
	}
	if len(rows) == 0 {
		return nil, homeward.Errorf(homeward.EINVALID, "%s: empty sheet, no header row", path)
	}
	d := &linkage.Dataset{Header: trimCells(rows[0])}
	for _, r := range rows[1:] {
		if len(r) == 0 {
			continue
		}
		d.Rows = append(d.Rows, trimCells(r))
	}
	return d, nil
}

func trimCells(xs []string) []string {
	for i, x := range xs {
		xs[i] = strings.TrimSpace(x)
	}
	return xs
}

func writePairs(w io.Writer, lk *linkage.Linker, pairs []linkage.Pair, explain bool) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	cw := csv.NewWriter(bw)
	header := []string{"left_id", "right_id", "probability", "weight"}
	if explain {
		header = append(header, "explanation")
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	row := make([]string, len(header))
	for _, p := range pairs {
		row[0], row[1] = lk.LeftID(p.Left), lk.RightID(p.Right)
		row[2] = strconv.FormatFloat(p.Probability, 'f', 6, 64)
		row[3] = strconv.FormatFloat(p.Weight, 'f', 3, 64)
		if explain {
			row[4] = linkage.FormatExplanation(lk.Explain(p))
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// writeFileAtomic writes through a temporary file, so a failed run leaves no
// half-written output behind.
func writeFileAtomic(path string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return os.Rename(tmp.Name(), path)
}

func printLinkReport(w io.Writer, lk *linkage.Linker, t linkage.TrainReport, b linkage.BlockingReport, written int) {
	l, r := lk.Sizes()
	fmt.Fprintf(w, "records: %d left, %d right; estimated ages read as of %s\n", l, r, lk.Model().AgeAsOf)
	fmt.Fprintf(w, "training: %d random pairs, %d blocked pairs (%d patterns), EM %d iterations (converged %v), prior %.3g\n",
		t.RandomPairs, t.EMPairs, t.Patterns, t.Iterations, t.Converged, t.Prior)
	for _, rc := range b.Rules {
		fmt.Fprintf(w, "blocking rule %-60q %10d pairs\n", rc.Rule, rc.Pairs)
	}
	fmt.Fprintf(w, "candidate pairs scored: %d; pairs written: %d\n", b.Total, written)
	if s := lk.SiblingEstimate(); s.Supported > 0 || s.Fixed {
		fmt.Fprintf(w, "siblings: %d of %d candidate pairs with siblings on both sides supported by a sibling's match; matches among them %.2f (family identity %+.2f bits); no sibling matching %+.2f bits; %d pairs found through siblings only\n",
			s.Supported, s.Applicable, s.Within, s.Family, s.NoMatch, s.Found)
	}
}

// progress shows the stage and a count on a terminal, and nothing otherwise
// (so that logs and pipes stay clean).
type progress struct {
	mu    sync.Mutex
	w     io.Writer
	on    bool
	name  string
	last  time.Time
	shown bool
}

func newProgress(w io.Writer) *progress {
	p := &progress{w: w}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.on = true
	}
	return p
}

func (p *progress) stage(name string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.name = name
	if p.on {
		fmt.Fprintf(p.w, "\r\033[K%s…", name)
		p.shown = true
	}
}

func (p *progress) report(stage string, done, total int) {
	if !p.on {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if now := time.Now(); now.Sub(p.last) > 200*time.Millisecond || done == total {
		p.last = now
		fmt.Fprintf(p.w, "\r\033[K%s: %d/%d (%.0f%%)", stage, done, total, 100*float64(done)/float64(max(total, 1)))
		p.shown = true
	}
}

func (p *progress) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.on && p.shown {
		fmt.Fprint(p.w, "\r\033[K")
		p.shown = false
	}
}
