package pdf

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// render writes d and fails the test on error.
func render(t testing.TB, d Document) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, d); err != nil {
		t.Fatalf("Write: %v", err)
	}
	return buf.Bytes()
}

// pageTexts extracts the text of each page with poppler's pdftotext, which
// reads the PDF as any viewer would: through the embedded fonts' Unicode
// maps. Without pdftotext the test skips, or fails under CI=true.
func pageTexts(t *testing.T, pdf []byte) []string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		msg := "text extraction needs pdftotext (apt-get install poppler-utils)"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	cmd := exec.Command(bin, "-enc", "UTF-8", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext: %v: %s", err, stderr.String())
	}
	if stderr.Len() > 0 {
		t.Fatalf("pdftotext complained: %s", stderr.String())
	}
	// pdftotext ends every page with a form feed.
	pages := strings.Split(string(out), "\f")
	return pages[:len(pages)-1]
}

// isPDF checks the file's framing: header, trailer and end-of-file marker.
func isPDF(t *testing.T, b []byte) {
	t.Helper()
	if !bytes.HasPrefix(b, []byte("%PDF-1.")) {
		t.Fatalf("output does not start with a PDF header: %q", b[:min(len(b), 16)])
	}
	if !bytes.HasSuffix(bytes.TrimRight(b, "\n"), []byte("%%EOF")) {
		t.Fatal("output does not end with an end-of-file marker")
	}
}
