// Command linkbench measures the linkage engine: accuracy on the public
// benchmarks (FEBRL3, FEBRL4, fake_1000) and on the synthetic Ukrainian/
// Russian corpus, and speed and memory at scale (reports against a million
// located records, and single queries against an index of them). It prints
// the figures; it asserts nothing (the tests do that for accuracy).
//
// Usage:
//
//	go run ./cmd/linkbench                       # everything, default sizes
//	go run ./cmd/linkbench -suite public         # FEBRL and fake_1000 only
//	go run ./cmd/linkbench -suite scale -reports 20000 -located 1000000
//	go run ./cmd/linkbench -suite synthetic -seed 7 -seeds 6   # seeds 7 to 12
//	go run ./cmd/linkbench -suite synthetic -synthetic-located 200000 -diagnose
//	go run ./cmd/linkbench -suite synthetic -synthetic-located 1000000 -calibration
//
// -calibration prints, per band of predicted probability, the share of
// true matches; -diagnose prints each wrong decision at 0.5 and each true pair blocking
// missed, with the (synthetic) records and their explanations;
// -person-model replaces the built-in person model with a model file.
//
// The scale run links in a child process, so that its wall time and peak
// resident memory are those of linking alone, not of generating the corpus.
package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"syscall"
	"time"

	"github.com/homeward-project/homeward/linkage"
	"github.com/homeward-project/homeward/linkage/synth"
)

var (
	profile     string
	diagnose    bool
	calibration bool
	personModel string
)

// builtIn is the person model the synthetic and scale suites use.
func builtIn() *linkage.Model {
	if personModel == "" {
		return linkage.PersonModel()
	}
	return readModel(personModel)
}

func main() {
	log.SetFlags(0)
	suite := flag.String("suite", "all", "what to run: public, synthetic, scale, index or all")
	reports := flag.Int("reports", 20000, "reports in the scale run")
	located := flag.Int("located", 1000000, "located records in the scale run (and the index)")
	seed := flag.Uint64("seed", 7, "corpus seed")
	synLocated := flag.Int("synthetic-located", 20000, "located records in the synthetic suite (2,000 reports against them)")
	seeds := flag.Int("seeds", 3, "seeds in the synthetic suite, from -seed on")
	dir := flag.String("dir", filepath.Join(os.TempDir(), "homeward-linkbench"), "where to keep generated corpora")
	testdata := flag.String("testdata", "linkage/testdata", "the public benchmark data (FEBRL, fake_1000)")
	models := flag.String("models", "testdata/models", "the benchmark model files")
	queries := flag.Int("queries", 2000, "queries in the index run")
	child := flag.String("child", "", "internal: link the corpus in DIR and report as JSON")
	flag.StringVar(&personModel, "person-model", "", "scale and synthetic suites: read the person model from `FILE` instead of the built-in one")
	cpuprofile := flag.String("cpuprofile", "", "write the scale run's CPU profile to `FILE`")
	flag.BoolVar(&calibration, "calibration", false, "synthetic suite: print, by band of predicted probability, how many pairs are true matches")
	flag.BoolVar(&diagnose, "diagnose", false, "synthetic suite: print the wrong decisions at 0.5 and the true pairs blocking missed, with explanations")
	flag.Parse()
	profile = *cpuprofile
	if *child != "" {
		if profile != "" {
			f, err := os.Create(profile)
			if err != nil {
				log.Fatal(err)
			}
			pprof.StartCPUProfile(f)
			defer pprof.StopCPUProfile()
		}
		if err := linkChild(*child); err != nil {
			log.Print(err)
			pprof.StopCPUProfile()
			os.Exit(1)
		}
		return
	}
	run := func(name string) bool { return *suite == "all" || *suite == name }
	if run("public") {
		public(*testdata, *models)
	}
	if run("synthetic") {
		for s := *seed; s < *seed+uint64(*seeds); s++ {
			syntheticRun(2000, *synLocated, s)
		}
	}
	if run("scale") {
		scale(*dir, *reports, *located, *seed)
	}
	if run("index") {
		index(*dir, *reports, *located, *seed, *queries)
	}
}

func readCSV(path string) *linkage.Dataset {
	f, err := os.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	d, err := linkage.ReadCSV(bufio.NewReaderSize(f, 1<<20))
	if err != nil {
		log.Fatalf("%s: %v", path, err)
	}
	return d
}

func readModel(path string) *linkage.Model {
	f, err := os.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	m, err := linkage.ReadModel(f)
	if err != nil {
		log.Fatal(err)
	}
	return m
}

type result struct {
	name         string
	at05, best   linkage.Metrics
	oneToOne     *linkage.Metrics
	completeness float64
	withSiblings float64
	candidates   int64
	elapsed      time.Duration
	blocking     linkage.BlockingReport
	siblings     linkage.SiblingEstimate
}

func (r result) print() {
	fmt.Printf("%-28s F1@0.5 %.4f (P %.4f R %.4f, %d pairs)  best F1 %.4f @ %.3f  pairs completeness %.4f  candidates %d  %.2fs\n",
		r.name, r.at05.F1, r.at05.Precision, r.at05.Recall, r.at05.Predicted, r.best.F1, r.best.Threshold, r.completeness, r.candidates, r.elapsed.Seconds())
	if r.oneToOne != nil {
		fmt.Printf("%-28s F1@0.5 one-to-one %.4f (P %.4f R %.4f)\n", "", r.oneToOne.F1, r.oneToOne.Precision, r.oneToOne.Recall)
	}
	for _, rc := range r.blocking.Rules {
		fmt.Printf("    %-66s %9d pairs\n", rc.Rule, rc.Pairs)
	}
	printSiblings(r.siblings)
	if r.withSiblings > r.completeness {
		fmt.Printf("    pairs completeness with the pairs sibling evidence brought in: %.4f\n", r.withSiblings)
	}
}

func printSiblings(s linkage.SiblingEstimate) {
	if s.Applicable == 0 && !s.Fixed {
		return
	}
	fmt.Printf("    siblings: %d of %d applicable candidate pairs supported (m %.3f, u %.2g): within a family %.2f (%+.2f bits), %+.2f when no sibling matches; %d pairs found through siblings only\n",
		s.Supported, s.Applicable, s.M, s.U, s.Within, s.Family, s.NoMatch, s.Found)
}

func evaluate(name string, m *linkage.Model, left, right *linkage.Dataset, truth *linkage.Truth, oneToOne bool) result {
	start := time.Now()
	lk, err := linkage.NewLinker(m, left, right)
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	if _, err := lk.Train(ctx); err != nil {
		log.Fatal(err)
	}
	pairs, brep, err := lk.Pairs(ctx, 0.01)
	if err != nil {
		log.Fatal(err)
	}
	r := result{name: name, elapsed: time.Since(start), blocking: brep, siblings: lk.SiblingEstimate()}
	scored := lk.Scored(pairs)
	if calibration {
		printCalibration(scored, truth)
	}
	r.at05 = truth.Evaluate(scored, 0.5)
	r.best = truth.BestThreshold(scored)
	if oneToOne {
		var above []linkage.Pair
		for _, p := range pairs {
			if p.Probability >= 0.5 {
				above = append(above, p)
			}
		}
		m := truth.Evaluate(lk.Scored(linkage.OneToOne(above)), 0.5)
		r.oneToOne = &m
	}
	r.completeness, r.candidates = lk.Completeness(truth)
	r.withSiblings = lk.CompletenessWithSiblings(truth)
	return r
}

// printCalibration shows, per band of predicted probability, the share of
// pairs that are true matches: a calibrated model's shares fall in its
// bands.
func printCalibration(scored []linkage.ScoredPair, truth *linkage.Truth) {
	bands := []float64{0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99, 1.000001}
	n := make([]int, len(bands)-1)
	tp := make([]int, len(bands)-1)
	for _, p := range scored {
		for i := range n {
			if p.Probability >= bands[i] && p.Probability < bands[i+1] {
				n[i]++
				if truth.Pairs[truth.Key(p.Left, p.Right)] {
					tp[i]++
				}
			}
		}
	}
	for i := range n {
		share := 0.0
		if n[i] > 0 {
			share = float64(tp[i]) / float64(n[i])
		}
		fmt.Printf("    calibration: p in [%.2f, %.2f): %6d pairs, %.3f true\n", bands[i], min(bands[i+1], 1), n[i], share)
	}
}

func public(testdata, models string) {
	a := readCSV(filepath.Join(testdata, "febrl", "dataset4a.csv"))
	b := readCSV(filepath.Join(testdata, "febrl", "dataset4b.csv"))
	febrl := readModel(filepath.Join(models, "febrl.json"))
	evaluate("FEBRL4 (link 5,000 × 5,000)", febrl, a, b, linkage.FEBRL4Truth(a.Column("rec_id"), b.Column("rec_id")), false).print()
	d := readCSV(filepath.Join(testdata, "febrl", "dataset3.csv"))
	evaluate("FEBRL3 (dedupe 5,000)", febrl, d, nil, linkage.FEBRLDedupeTruth(d.Column("rec_id")), false).print()
	f := readCSV(filepath.Join(testdata, "fake_1000.csv"))
	truth := linkage.ClusterTruth(f.Column("unique_id"), f.Column("cluster"))
	c := slices.Index(f.Header, "cluster")
	for _, row := range f.Rows {
		row[c] = ""
	}
	evaluate("fake_1000 (dedupe 1,000)", readModel(filepath.Join(models, "fake_1000.json")), f, nil, truth, false).print()
}

func corpusTruth(c *synth.Corpus) *linkage.Truth {
	t := &linkage.Truth{Pairs: map[linkage.IDPair]bool{}}
	for _, p := range c.Truth {
		t.Pairs[linkage.IDPair{Left: p[0], Right: p[1]}] = true
	}
	return t
}

func syntheticRun(nr, nl int, seed uint64) {
	c := synth.Generate(synth.Config{Reports: nr, Located: nl, Seed: seed})
	left := &linkage.Dataset{Header: synth.Header, Rows: c.Reports}
	right := &linkage.Dataset{Header: synth.Header, Rows: c.Located}
	truth := corpusTruth(c)
	evaluate(fmt.Sprintf("synthetic %d × %d seed %d", nr, nl, seed), builtIn(), left, right, truth, true).print()
	if diagnose {
		diagnoseRun(left, right, truth)
	}
}

// diagnoseRun prints the false positives and false negatives at 0.5 with
// their records and explanations (synthetic people only).
func diagnoseRun(left, right *linkage.Dataset, truth *linkage.Truth) {
	lk, err := linkage.NewLinker(builtIn(), left, right)
	if err != nil {
		log.Fatal(err)
	}
	if _, err := lk.Train(context.Background()); err != nil {
		log.Fatal(err)
	}
	pairs, _, err := lk.Pairs(context.Background(), 1e-9)
	if err != nil {
		log.Fatal(err)
	}
	lrow, rrow := map[string]int{}, map[string]int{}
	for i, r := range left.Rows {
		lrow[r[0]] = i
	}
	for i, r := range right.Rows {
		rrow[r[0]] = i
	}
	found := map[linkage.IDPair]bool{}
	show := func(tag string, p linkage.Pair) {
		fmt.Printf("%s p=%.3f w=%.2f\n  L %v\n  R %v\n  %s\n", tag, p.Probability, p.Weight, left.Rows[p.Left], right.Rows[p.Right], linkage.FormatExplanation(lk.Explain(p)))
	}
	for _, p := range pairs {
		k := linkage.IDPair{Left: lk.LeftID(p.Left), Right: lk.RightID(p.Right)}
		found[k] = true
		if p.Probability >= 0.5 && !truth.Pairs[k] {
			show("FP", p)
		}
		if p.Probability < 0.5 && truth.Pairs[k] {
			show("FN", p)
		}
	}
	for k := range truth.Pairs {
		if !found[k] {
			fmt.Printf("MISSED\n  L %v\n  R %v\n", left.Rows[lrow[k.Left]], right.Rows[rrow[k.Right]])
		}
	}
}

// ensureCorpus writes the corpus as CSV files once per size and seed.
func ensureCorpus(dir string, nr, nl int, seed uint64) string {
	d := filepath.Join(dir, fmt.Sprintf("r%d-l%d-s%d", nr, nl, seed))
	if _, err := os.Stat(filepath.Join(d, "truth.csv")); err == nil {
		return d
	}
	if err := os.MkdirAll(d, 0o755); err != nil {
		log.Fatal(err)
	}
	start := time.Now()
	c := synth.Generate(synth.Config{Reports: nr, Located: nl, Seed: seed})
	write := func(name string, header []string, rows [][]string) {
		f, err := os.Create(filepath.Join(d, name))
		if err != nil {
			log.Fatal(err)
		}
		w := csv.NewWriter(bufio.NewWriterSize(f, 1<<20))
		w.Write(header)
		w.WriteAll(rows)
		if err := w.Error(); err != nil {
			log.Fatal(err)
		}
		if err := f.Close(); err != nil {
			log.Fatal(err)
		}
	}
	write("reports.csv", synth.Header, c.Reports)
	write("located.csv", synth.Header, c.Located)
	truth := make([][]string, len(c.Truth))
	for i, p := range c.Truth {
		truth[i] = []string{p[0], p[1]}
	}
	write("truth.csv", []string{"left_id", "right_id"}, truth)
	fmt.Printf("generated %d reports and %d located records (%d true pairs) in %.1fs into %s\n", nr, nl, len(c.Truth), time.Since(start).Seconds(), d)
	return d
}

// childReport is what the linking child process reports.
type childReport struct {
	Read, Prepare, Train, Score, Write float64 // seconds
	Link                               float64 // seconds from start to pairs written
	Candidates                         int64
	Completeness                       float64
	WithSiblings                       float64
	Pairs                              int
	Blocking                           linkage.BlockingReport
	TrainReport                        linkage.TrainReport
	Siblings                           linkage.SiblingEstimate
}

func linkChild(dir string) error {
	ctx := context.Background()
	var rep childReport
	t := time.Now()
	lap := func(dst *float64) { *dst = time.Since(t).Seconds(); t = time.Now() }
	left := readCSV(filepath.Join(dir, "reports.csv"))
	right := readCSV(filepath.Join(dir, "located.csv"))
	lap(&rep.Read)
	lk, err := linkage.NewLinker(builtIn(), left, right)
	if err != nil {
		return err
	}
	left, right = nil, nil
	runtime.GC()
	lap(&rep.Prepare)
	if rep.TrainReport, err = lk.Train(ctx); err != nil {
		return err
	}
	lap(&rep.Train)
	pairs, brep, err := lk.Pairs(ctx, 0.5)
	if err != nil {
		return err
	}
	rep.Blocking, rep.Candidates, rep.Pairs = brep, brep.Total, len(pairs)
	rep.Siblings = lk.SiblingEstimate()
	lap(&rep.Score)
	for name, ps := range map[string][]linkage.Pair{"pairs.csv": pairs, "pairs-one-to-one.csv": linkage.OneToOne(pairs)} {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		w := bufio.NewWriterSize(f, 1<<20)
		fmt.Fprintln(w, "left_id,right_id,probability,weight")
		for _, p := range ps {
			fmt.Fprintf(w, "%s,%s,%.6f,%.3f\n", lk.LeftID(p.Left), lk.RightID(p.Right), p.Probability, p.Weight)
		}
		if err := w.Flush(); err != nil {
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	lap(&rep.Write)
	rep.Link = rep.Read + rep.Prepare + rep.Train + rep.Score + rep.Write
	// Outside the timed part: how many true pairs blocking reached.
	truthD := readCSV(filepath.Join(dir, "truth.csv"))
	truth := &linkage.Truth{Pairs: map[linkage.IDPair]bool{}}
	for _, r := range truthD.Rows {
		truth.Pairs[linkage.IDPair{Left: r[0], Right: r[1]}] = true
	}
	rep.Completeness, _ = lk.Completeness(truth)
	rep.WithSiblings = lk.CompletenessWithSiblings(truth)
	return json.NewEncoder(os.Stdout).Encode(rep)
}

func readPairs(path string) []linkage.ScoredPair {
	d := readCSV(path)
	var out []linkage.ScoredPair
	for _, r := range d.Rows {
		p, _ := strconv.ParseFloat(r[2], 64)
		out = append(out, linkage.ScoredPair{Left: r[0], Right: r[1], Probability: p})
	}
	return out
}

func scale(dir string, nr, nl int, seed uint64) {
	d := ensureCorpus(dir, nr, nl, seed)
	self, err := os.Executable()
	if err != nil {
		log.Fatal(err)
	}
	cmd := exec.Command(self, "-child", d, "-cpuprofile", profile, "-person-model", personModel)
	cmd.Stderr = os.Stderr
	start := time.Now()
	out, err := cmd.Output()
	if err != nil {
		log.Fatalf("link child: %v", err)
	}
	wall := time.Since(start)
	var rep childReport
	if err := json.Unmarshal(out, &rep); err != nil {
		log.Fatal(err)
	}
	rss := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss // KiB on Linux
	truthD := readCSV(filepath.Join(d, "truth.csv"))
	truth := &linkage.Truth{Pairs: map[linkage.IDPair]bool{}}
	for _, r := range truthD.Rows {
		truth.Pairs[linkage.IDPair{Left: r[0], Right: r[1]}] = true
	}
	m := truth.Evaluate(readPairs(filepath.Join(d, "pairs.csv")), 0.5)
	m1 := truth.Evaluate(readPairs(filepath.Join(d, "pairs-one-to-one.csv")), 0.5)
	cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	fmt.Printf("scale: %d reports × %d located on %d cores: link wall %.1fs (read %.1fs, prepare+key+index %.1fs, train %.1fs, score %.1fs, write %.1fs); process wall %.1fs and CPU %.1fs with the completeness count after; peak RSS %.0f MiB\n",
		nr, nl, runtime.NumCPU(), rep.Link, rep.Read, rep.Prepare, rep.Train, rep.Score, rep.Write, wall.Seconds(), cpu.Seconds(), float64(rss)/1024)
	fmt.Printf("scale: candidate pairs %d (pairs completeness %.4f; %.4f with the %d pairs sibling evidence brought in), pairs ≥ 0.5: %d; F1@0.5 %.4f (P %.4f R %.4f); one-to-one F1 %.4f (P %.4f R %.4f)\n",
		rep.Candidates, rep.Completeness, rep.WithSiblings, rep.Siblings.Found, rep.Pairs, m.F1, m.Precision, m.Recall, m1.F1, m1.Precision, m1.Recall)
	fmt.Printf("scale: training: %d random pairs, %d EM pairs, prior %.3g\n", rep.TrainReport.RandomPairs, rep.TrainReport.EMPairs, rep.TrainReport.Prior)
	printSiblings(rep.Siblings)
	for _, rc := range rep.Blocking.Rules {
		fmt.Printf("    %-66s %10d pairs\n", rc.Rule, rc.Pairs)
	}
}

func index(dir string, nr, nl int, seed uint64, queries int) {
	d := ensureCorpus(dir, nr, nl, seed)
	reports := readCSV(filepath.Join(d, "reports.csv"))
	located := readCSV(filepath.Join(d, "located.csv"))
	// Train on a slice of the reports against all located records, as a
	// deployment trains once and saves the model.
	start := time.Now()
	sample := &linkage.Dataset{Header: reports.Header, Rows: reports.Rows[:min(2000, len(reports.Rows))]}
	lk, err := linkage.NewLinker(builtIn(), sample, located)
	if err != nil {
		log.Fatal(err)
	}
	if _, err := lk.Train(context.Background()); err != nil {
		log.Fatal(err)
	}
	model := lk.Model()
	lk = nil
	trained := time.Since(start)
	start = time.Now()
	ix, err := linkage.NewIndex(model, located)
	if err != nil {
		log.Fatal(err)
	}
	built := time.Since(start)
	runtime.GC()
	lat := make([]time.Duration, 0, queries)
	found := 0
	for i := 0; i < queries && i < len(reports.Rows); i++ {
		q := map[string]string{}
		for c, h := range reports.Header {
			q[h] = reports.Rows[i][c]
		}
		t := time.Now()
		cs, err := ix.Query(q, 10, 0.01)
		lat = append(lat, time.Since(t))
		if err != nil {
			log.Fatal(err)
		}
		found += len(cs)
	}
	slices.Sort(lat)
	pct := func(p float64) float64 {
		return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000
	}
	fmt.Printf("index: %d records (trained in %.1fs, built in %.1fs); %d queries: p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, max %.2f ms; %d candidates returned\n",
		ix.Len(), trained.Seconds(), built.Seconds(), len(lat), pct(0.5), pct(0.95), pct(0.99), pct(1), found)
}
