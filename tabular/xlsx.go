package tabular

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"
)

// This file reads the first sheet of a workbook with a hand-written scanner
// of SpreadsheetML (ECMA-376 Part 1, §18.3 sheetData and §18.4 shared
// strings). excelize's Rows iterator decodes every cell through
// encoding/xml's reflection and takes about 5 s for 100,000 rows of 14
// columns; this scanner takes a fraction of that. It understands only what
// cell values need and refuses anything unexpected, in which case Read falls
// back to excelize, so the two must agree (FuzzXLSXReadersAgree checks).

// Limits that keep a small hostile file (a zip bomb) from exhausting memory.
const (
	maxCells    = 20_000_000 // cells held in a Sheet, empty ones included
	maxXMLBytes = 1 << 30    // uncompressed bytes of one part
	maxSSTBytes = 256 << 20  // text held in the shared strings table
	maxRow      = 1_048_576  // Excel's limits
	maxCol      = 16_384
	// MaxCellLength is the most characters a cell holds in Excel
	// (Microsoft, "Excel specifications and limits"). A longer cell is not
	// from a spreadsheet program: it is cut to maxCellBytes as it is read,
	// so that one 200 MB string costs no more than a long cell, and the
	// converter reports it as too long, by row and field.
	MaxCellLength = 32_767
	// maxCellBytes is the longest cell in UTF-8 with room to spare, so that
	// no cell Excel can write is ever cut.
	maxCellBytes = 4*MaxCellLength + 64
)

var (
	errTooManyCells = errors.New("too many cells")
	errTooMuchText  = errors.New("too much text")
)

// errUnsupported makes Read fall back to excelize.
type errUnsupported string

func (e errUnsupported) Error() string { return "xlsx: " + string(e) }

func readXLSXFast(b []byte) (*Sheet, error) {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, errUnsupported("zip: " + err.Error())
	}
	parts := map[string]*zip.File{}
	for _, f := range zr.File {
		parts[strings.ToLower(strings.TrimPrefix(f.Name, "/"))] = f
	}
	wbPath := "xl/workbook.xml"
	if rels, err := readRels(parts, "_rels/.rels"); err == nil {
		for _, r := range rels {
			if strings.HasSuffix(r.Type, "/officeDocument") {
				wbPath = resolve("", r.Target)
			}
		}
	}
	var wb struct {
		Sheets []struct {
			ID string `xml:"id,attr"`
		} `xml:"sheets>sheet"`
	}
	if err := unmarshalPart(parts, wbPath, &wb); err != nil {
		return nil, err
	}
	if len(wb.Sheets) == 0 {
		return nil, errUnsupported("no sheets")
	}
	relsPath := path.Join(path.Dir(wbPath), "_rels", path.Base(wbPath)+".rels")
	rels, err := readRels(parts, relsPath)
	if err != nil {
		return nil, err
	}
	sheetPath, sstPath := "", ""
	for _, r := range rels {
		if r.ID == wb.Sheets[0].ID {
			sheetPath = resolve(path.Dir(wbPath), r.Target)
		}
		if strings.HasSuffix(r.Type, "/sharedStrings") {
			sstPath = resolve(path.Dir(wbPath), r.Target)
		}
	}
	if sheetPath == "" {
		return nil, errUnsupported("first sheet not found")
	}
	var sst []string
	if sstPath != "" {
		if sst, err = readSharedStrings(parts, sstPath); err != nil {
			return nil, err
		}
	}
	f, ok := parts[strings.ToLower(sheetPath)]
	if !ok {
		return nil, errUnsupported("sheet part missing")
	}
	rc, err := f.Open()
	if err != nil {
		return nil, errUnsupported(err.Error())
	}
	defer rc.Close()
	return scanSheet(newScanner(rc), sst)
}

type rel struct {
	ID     string `xml:"Id,attr"`
	Type   string `xml:"Type,attr"`
	Target string `xml:"Target,attr"`
}

func readRels(parts map[string]*zip.File, name string) ([]rel, error) {
	var rs struct {
		Rels []rel `xml:"Relationship"`
	}
	err := unmarshalPart(parts, name, &rs)
	return rs.Rels, err
}

// resolve turns a relationship target into a part name.
func resolve(dir, target string) string {
	if strings.HasPrefix(target, "/") {
		return strings.TrimPrefix(path.Clean(target), "/")
	}
	return strings.TrimPrefix(path.Join(dir, target), "/")
}

// unmarshalPart decodes a small part (workbook, relationships) with
// encoding/xml; only the cells are worth a scanner of their own.
func unmarshalPart(parts map[string]*zip.File, name string, v any) error {
	f, ok := parts[strings.ToLower(name)]
	if !ok {
		return errUnsupported(name + " missing")
	}
	rc, err := f.Open()
	if err != nil {
		return errUnsupported(err.Error())
	}
	defer rc.Close()
	if err := xml.NewDecoder(io.LimitReader(rc, 16<<20)).Decode(v); err != nil {
		return errUnsupported(name + ": " + err.Error())
	}
	return nil
}

func readSharedStrings(parts map[string]*zip.File, name string) ([]string, error) {
	f, ok := parts[strings.ToLower(name)]
	if !ok {
		return nil, nil
	}
	rc, err := f.Open()
	if err != nil {
		return nil, errUnsupported(err.Error())
	}
	defer rc.Close()
	sc := newScanner(rc)
	var out []string
	var text []byte
	inSI, inT, rph, total := false, false, 0, 0
	for {
		tok, err := sc.next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		switch {
		case tok.kind == tokText:
			if inSI && inT && rph == 0 {
				text = appendCut(text, tok.text)
			}
		case tok.name == "si" && tok.kind == tokStart:
			inSI, text = true, text[:0]
		case tok.name == "si" && tok.kind == tokSelfClosing:
			out = append(out, "")
		case tok.name == "si" && tok.kind == tokEnd:
			if len(out) >= maxCells {
				return nil, errTooManyCells
			}
			if total += len(text); total > maxSSTBytes {
				return nil, errTooMuchText
			}
			out = append(out, unescapeBSTR(string(text)))
			inSI = false
		case tok.name == "t":
			inT = tok.kind == tokStart
		case tok.name == "rPh":
			// Phonetic runs (furigana) are a reading aid, not the text.
			if tok.kind == tokStart {
				rph++
			} else if tok.kind == tokEnd && rph > 0 {
				rph--
			}
		}
	}
}

// scanSheet reads the rows of a worksheet part, as readXLSX does.
func scanSheet(sc *scanner, sst []string) (*Sheet, error) {
	s := &Sheet{}
	var (
		rowNum, col   int // current row and the column of the last cell
		rec           []string
		inRow, inCell bool
		cellType      string
		cellCol       int
		v, is         []byte
		inV, inIs     bool
		inT, rph      int
		cells, text   int
	)
	flush := func() error {
		empty := true
		for i := range rec {
			rec[i] = cleanCell(rec[i], false)
			if rec[i] != "" {
				empty = false
			}
		}
		if rowNum == 1 {
			s.Headers = rec
		} else if !empty {
			if cells += len(rec); cells > maxCells {
				return errTooManyCells
			}
			s.Rows = setRow(s.Rows, rowNum, rec)
		}
		rec = nil
		return nil
	}
	for {
		tok, err := sc.next()
		if err == io.EOF {
			if inRow {
				return nil, errUnsupported("unterminated row")
			}
			return s, nil
		}
		if err != nil {
			return nil, err
		}
		switch tok.kind {
		case tokText:
			if inV {
				v = appendCut(v, tok.text)
			} else if inIs && inT > 0 && rph == 0 {
				is = appendCut(is, tok.text)
			}
			continue
		}
		switch tok.name {
		case "row":
			if tok.kind == tokEnd {
				if !inRow {
					return nil, errUnsupported("unbalanced row")
				}
				if err := flush(); err != nil {
					return nil, err
				}
				inRow = false
				continue
			}
			if inRow {
				return nil, errUnsupported("nested row")
			}
			n := rowNum + 1
			if r, ok := tok.attr("r"); ok {
				var err error
				if n, err = strconv.Atoi(r); err != nil || n <= rowNum || n > maxRow {
					return nil, errUnsupported("bad row number")
				}
			}
			rowNum, col, rec = n, 0, nil
			if tok.kind == tokSelfClosing {
				if err := flush(); err != nil {
					return nil, err
				}
				continue
			}
			inRow = true
		case "c":
			if !inRow || (tok.kind != tokEnd) == inCell {
				return nil, errUnsupported("cell outside a row")
			}
			if tok.kind == tokEnd {
				val, err := cellValue(cellType, v, is, sst)
				if err != nil {
					return nil, err
				}
				// Shared strings are counted once, in the table; a cell's
				// own text is counted here, so that many long inline
				// strings cannot add up to more than the table may hold.
				if cellType != "s" {
					if text += len(val); text > maxSSTBytes {
						return nil, errTooMuchText
					}
				}
				if val != "" {
					for len(rec) < cellCol-1 {
						rec = append(rec, "")
					}
					rec = append(rec, val)
				}
				inCell = false
				continue
			}
			cellCol = col + 1
			if r, ok := tok.attr("r"); ok {
				c, ok := columnOf(r)
				if !ok || c <= col {
					return nil, errUnsupported("bad cell reference")
				}
				cellCol = c
			}
			col = cellCol
			cellType, _ = tok.attr("t")
			v, is, inV, inIs, inT, rph = v[:0], is[:0], false, false, 0, 0
			inCell = tok.kind == tokStart
		case "v":
			if inCell {
				inV = tok.kind == tokStart
			}
		case "is":
			if inCell {
				inIs = tok.kind == tokStart
			}
		case "t":
			if inIs {
				switch tok.kind {
				case tokStart:
					inT++
				case tokEnd:
					inT--
				}
			}
		case "rPh":
			if inIs {
				switch tok.kind {
				case tokStart:
					rph++
				case tokEnd:
					rph--
				}
			}
		case "sheetData":
			if tok.kind == tokEnd {
				if inRow {
					return nil, errUnsupported("unterminated row")
				}
				return s, nil
			}
		}
	}
}

func cellValue(typ string, v, is []byte, sst []string) (string, error) {
	switch typ {
	case "s":
		if len(v) == 0 {
			return "", nil
		}
		i, err := strconv.Atoi(strings.TrimSpace(string(v)))
		if err != nil || i < 0 || i >= len(sst) {
			return "", errUnsupported("bad shared string index")
		}
		return sst[i], nil
	case "inlineStr":
		return unescapeBSTR(string(is)), nil
	case "", "n", "str", "b", "e", "d":
		return string(v), nil
	}
	return "", errUnsupported("unknown cell type")
}

// columnOf returns the column number of a cell reference such as "AB12".
func columnOf(ref string) (int, bool) {
	n, i := 0, 0
	for ; i < len(ref) && i < 3; i++ {
		c := ref[i]
		switch {
		case c >= 'A' && c <= 'Z':
			n = n*26 + int(c-'A'+1)
		case c >= 'a' && c <= 'z':
			n = n*26 + int(c-'a'+1)
		default:
			goto done
		}
	}
done:
	if i == 0 || n > maxCol || i == len(ref) || ref[i] < '1' || ref[i] > '9' {
		return 0, false
	}
	for _, c := range ref[i:] {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	return n, true
}

// unescapeBSTR decodes the _xHHHH_ escapes SpreadsheetML uses for
// characters XML cannot carry (ECMA-376 Part 1, §22.9.2.19 ST_Xstring), as
// excelize does: _x005F_ is a literal underscore.
func unescapeBSTR(s string) string {
	if !strings.Contains(s, "_x") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if i+7 <= len(s) && s[i] == '_' && s[i+1] == 'x' && s[i+6] == '_' {
			if n, err := strconv.ParseUint(s[i+2:i+6], 16, 32); err == nil {
				if n == 0x5F {
					b.WriteByte('_')
				} else if r := rune(n); utf8.ValidRune(r) {
					b.WriteRune(r)
				}
				i += 7
				continue
			}
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

// The scanner is a minimal XML tokenizer: start, end and self-closing tags
// with their raw attributes, and text with entities decoded. Comments,
// processing instructions and declarations are skipped; CDATA is text.

type tokKind int

const (
	tokStart tokKind = iota
	tokEnd
	tokSelfClosing
	tokText
)

type token struct {
	kind  tokKind
	name  string // local name, prefix removed
	attrs []byte // raw attribute text of a start tag
	text  []byte // decoded text; valid until the next call
}

func (t token) attr(name string) (string, bool) {
	a := t.attrs
	for len(a) > 0 {
		a = trimXMLSpace(a)
		eq := bytes.IndexByte(a, '=')
		if eq < 0 {
			return "", false
		}
		key := bytes.TrimSpace(a[:eq])
		if i := bytes.IndexByte(key, ':'); i >= 0 {
			key = key[i+1:]
		}
		a = trimXMLSpace(a[eq+1:])
		if len(a) == 0 || (a[0] != '"' && a[0] != '\'') {
			return "", false
		}
		end := bytes.IndexByte(a[1:], a[0])
		if end < 0 {
			return "", false
		}
		val := a[1 : end+1]
		a = a[end+2:]
		if string(key) == name {
			s, err := decodeEntities(nil, val)
			return string(s), err == nil
		}
	}
	return "", false
}

type scanner struct {
	r     *bufio.Reader
	n     int64 // bytes read
	names map[string]string
	buf   []byte
	text  []byte
	cut   bool // some text was longer than a cell and cut
}

func newScanner(r io.Reader) *scanner {
	return &scanner{r: bufio.NewReaderSize(r, 64<<10), names: map[string]string{}}
}

// gather appends src to dst as appendCut does and remembers a cut.
func (sc *scanner) gather(dst, src []byte) []byte {
	out := appendCut(dst, src)
	if len(out)-len(dst) < len(src) {
		sc.cut = true
	}
	return out
}

// appendCut appends src to dst but lets dst grow to no more than
// maxCellBytes, cutting at a character and before an unfinished entity
// reference. Once cut, dst counts as full and takes nothing more, so that
// no pieces from further on are joined to it. A cell Excel can write
// (4*MaxCellLength bytes at most) is never cut.
func appendCut(dst, src []byte) []byte {
	room := maxCellBytes - len(dst)
	if room <= 16 {
		return dst
	}
	if len(src) <= room {
		return append(dst, src...)
	}
	cut := src[:room]
	for i := len(cut) - 1; i >= 0 && i >= len(cut)-utf8.UTFMax; i-- {
		if utf8.RuneStart(cut[i]) {
			if !utf8.FullRune(cut[i:]) {
				cut = cut[:i]
			}
			break
		}
	}
	if j := bytes.LastIndexByte(cut, '&'); j >= 0 && bytes.IndexByte(cut[j:], ';') < 0 {
		cut = cut[:j]
	}
	// What was cut off is at most a character and an entity: less than
	// the 16 bytes of room under which nothing more is taken.
	return append(dst, cut...)
}

func (sc *scanner) readByte() (byte, error) {
	sc.n++
	if sc.n > maxXMLBytes {
		return 0, errUnsupported("part too large")
	}
	c, err := sc.r.ReadByte()
	if err == io.EOF {
		return 0, io.EOF
	}
	if err != nil {
		return 0, errUnsupported(err.Error())
	}
	return c, nil
}

// readUntil reads up to and including delim and returns what came before.
func (sc *scanner) readUntil(delim byte) ([]byte, error) {
	sc.buf = sc.buf[:0]
	for {
		chunk, err := sc.r.ReadSlice(delim)
		sc.n += int64(len(chunk))
		if sc.n > maxXMLBytes {
			return nil, errUnsupported("part too large")
		}
		sc.buf = append(sc.buf, chunk...)
		if err == nil {
			return sc.buf[:len(sc.buf)-1], nil
		}
		if err != bufio.ErrBufferFull {
			if err == io.EOF {
				return nil, errUnsupported("unexpected end of part")
			}
			return nil, errUnsupported(err.Error())
		}
	}
}

func (sc *scanner) next() (token, error) {
	for {
		c, err := sc.readByte()
		if err != nil {
			return token{}, err
		}
		if c != '<' {
			if err := sc.r.UnreadByte(); err != nil {
				return token{}, errUnsupported(err.Error())
			}
			sc.n--
			raw, err := sc.r.ReadSlice('<')
			sc.n += int64(len(raw))
			if err == bufio.ErrBufferFull {
				// Long text: gather it, but no more than a cell may hold;
				// the rest is read and dropped, so that a 200 MB string
				// costs a cell's worth of memory.
				sc.buf = sc.gather(sc.buf[:0], raw)
				for err == bufio.ErrBufferFull {
					raw, err = sc.r.ReadSlice('<')
					sc.n += int64(len(raw))
					if sc.n > maxXMLBytes {
						return token{}, errUnsupported("part too large")
					}
					if err == nil {
						sc.buf = sc.gather(sc.buf, raw[:len(raw)-1])
						sc.buf = append(sc.buf, '<') // the delimiter, stripped below
					} else {
						sc.buf = sc.gather(sc.buf, raw)
					}
				}
				raw = sc.buf
			}
			if err == io.EOF {
				return token{}, io.EOF // trailing text after the root
			}
			if err != nil {
				return token{}, errUnsupported(err.Error())
			}
			if err := sc.r.UnreadByte(); err != nil {
				return token{}, errUnsupported(err.Error())
			}
			sc.n--
			raw = raw[:len(raw)-1]
			if sc.text, err = decodeEntities(sc.text[:0], raw); err != nil {
				return token{}, err
			}
			return token{kind: tokText, text: sc.text}, nil
		}
		c, err = sc.readByte()
		if err != nil {
			return token{}, errUnsupported("unexpected end of part")
		}
		switch c {
		case '?':
			if err := sc.skipPast("?>"); err != nil {
				return token{}, err
			}
			continue
		case '!':
			tok, ok, err := sc.bang()
			if err != nil {
				return token{}, err
			}
			if ok {
				return tok, nil
			}
			continue
		}
		if err := sc.r.UnreadByte(); err != nil {
			return token{}, errUnsupported(err.Error())
		}
		sc.n--
		body, err := sc.readTag()
		if err != nil {
			return token{}, err
		}
		kind := tokStart
		if len(body) > 0 && body[0] == '/' {
			kind, body = tokEnd, body[1:]
		} else if len(body) > 0 && body[len(body)-1] == '/' {
			kind, body = tokSelfClosing, body[:len(body)-1]
		}
		end := 0
		for end < len(body) && !isXMLSpace(body[end]) {
			end++
		}
		name := body[:end]
		if i := bytes.LastIndexByte(name, ':'); i >= 0 {
			name = name[i+1:]
		}
		if len(name) == 0 {
			return token{}, errUnsupported("empty tag name")
		}
		return token{kind: kind, name: sc.intern(name), attrs: body[end:]}, nil
	}
}

// readTag reads a tag's body up to its closing '>', which may not occur
// inside a quoted attribute value.
func (sc *scanner) readTag() ([]byte, error) {
	body, err := sc.readUntil('>')
	if err != nil {
		return nil, err
	}
	for openQuote(body) {
		// A '>' inside a quoted value: keep reading. Rare, so the copy is fine.
		more := append([]byte(nil), body...)
		more = append(more, '>')
		rest, err := sc.readUntil('>')
		if err != nil {
			return nil, err
		}
		body = append(more, rest...)
	}
	return body, nil
}

// openQuote reports whether body ends inside a quoted attribute value.
func openQuote(body []byte) bool {
	var q byte
	for _, c := range body {
		switch {
		case q == 0 && (c == '"' || c == '\''):
			q = c
		case c == q:
			q = 0
		}
	}
	return q != 0
}

func isXMLSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

func trimXMLSpace(b []byte) []byte {
	for len(b) > 0 && isXMLSpace(b[0]) {
		b = b[1:]
	}
	return b
}

func (sc *scanner) intern(b []byte) string {
	if s, ok := sc.names[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(sc.names) < 1000 {
		sc.names[s] = s
	}
	return s
}

func (sc *scanner) skipPast(end string) error {
	matched := 0
	for {
		c, err := sc.readByte()
		if err != nil {
			return errUnsupported("unexpected end of part")
		}
		switch {
		case c == end[matched]:
			matched++
			if matched == len(end) {
				return nil
			}
		case c == end[0]:
			matched = 1
		default:
			matched = 0
		}
	}
}

// bang handles "<!": comments and declarations are skipped (ok false);
// CDATA is returned as text.
func (sc *scanner) bang() (token, bool, error) {
	peek, err := sc.r.Peek(7)
	if err == nil && string(peek) == "[CDATA[" {
		if _, err := sc.r.Discard(7); err != nil {
			return token{}, false, errUnsupported(err.Error())
		}
		sc.n += 7
		sc.text = sc.text[:0]
		matched := 0
		for {
			c, err := sc.readByte()
			if err != nil {
				return token{}, false, errUnsupported("unterminated CDATA")
			}
			sc.text = append(sc.text, c)
			switch {
			case c == ']' && matched < 2:
				matched++
			case c == '>' && matched == 2:
				sc.text = sc.text[:len(sc.text)-3]
				return token{kind: tokText, text: sc.text}, true, nil
			case c == ']':
			default:
				matched = 0
			}
		}
	}
	if len(peek) >= 2 && string(peek[:2]) == "--" {
		return token{}, false, sc.skipPast("-->")
	}
	if len(peek) >= 7 && string(peek) == "DOCTYPE" {
		// A DTD may declare entities: not something a spreadsheet needs.
		return token{}, false, errUnsupported("DOCTYPE")
	}
	return token{}, false, sc.skipPast(">")
}

// decodeEntities appends raw with XML's predefined and numeric character
// references decoded; other entities are refused.
func decodeEntities(dst, raw []byte) ([]byte, error) {
	for {
		i := bytes.IndexByte(raw, '&')
		if i < 0 {
			return append(dst, raw...), nil
		}
		dst = append(dst, raw[:i]...)
		raw = raw[i:]
		semi := bytes.IndexByte(raw, ';')
		if semi < 0 || semi > 12 {
			return nil, errUnsupported("bad entity")
		}
		ent := string(raw[1:semi])
		raw = raw[semi+1:]
		switch ent {
		case "amp":
			dst = append(dst, '&')
		case "lt":
			dst = append(dst, '<')
		case "gt":
			dst = append(dst, '>')
		case "quot":
			dst = append(dst, '"')
		case "apos":
			dst = append(dst, '\'')
		default:
			var n uint64
			var err error
			switch {
			case strings.HasPrefix(ent, "#x"):
				n, err = strconv.ParseUint(ent[2:], 16, 32)
			case strings.HasPrefix(ent, "#"):
				n, err = strconv.ParseUint(ent[1:], 10, 32)
			default:
				err = fmt.Errorf("unknown entity")
			}
			if err != nil || !utf8.ValidRune(rune(n)) {
				return nil, errUnsupported("bad entity")
			}
			dst = utf8.AppendRune(dst, rune(n))
		}
	}
}
