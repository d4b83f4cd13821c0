package pdf

import (
	"fmt"
	"strings"
	"testing"
)

// returnList is a landscape return list of n children with eight columns,
// as the web package will print it. Every person in it is invented.
func returnList(n int) Document {
	given := []string{"Олександр", "Мар'яна", "Ґанна", "Їжак", "Євген", "Ярослава", "Andrii", "Sofiia"}
	family := []string{"Коваленко", "Шевчук", "Бондаренко", "Ткаченко", "Кравчук", "Іваненко"}
	places := []string{"Херсон", "Маріуполь", "Ізюм", "Бахмут", "Мелітополь, Запорізька обл."}
	rows := make([][]string, n)
	for i := range rows {
		note := "—"
		if i%5 == 0 {
			note = "Передано разом із братом; документи в установи, що супроводжує повернення."
		}
		rows[i] = []string{
			fmt.Sprint(i + 1),
			family[i%len(family)] + " " + given[i%len(given)],
			fmt.Sprintf("%04d-%02d-%02d", 2008+i%15, 1+i%12, 1+i%28),
			places[i%len(places)],
			fmt.Sprintf("HW-%06d", i+1),
			given[(i+3)%len(given)] + " " + family[(i+1)%len(family)] + ", мати",
			"+380 67 000 " + fmt.Sprintf("%04d", i%10000),
			note,
		}
	}
	return Document{
		Title:     "Список на повернення",
		Subtitle:  "Підготовлено для передачі",
		Lang:      "uk",
		Landscape: true,
		Footer:    "Список RL-0001",
		Blocks: []Block{Table{
			Columns: []Column{
				{Title: "№", Width: 0.5}, {Title: "Прізвище та ім'я", Width: 2.2}, {Title: "Дата народження", Width: 1.1},
				{Title: "Звідки", Width: 1.6}, {Title: "Справа", Width: 1}, {Title: "Законний представник", Width: 2.2},
				{Title: "Телефон", Width: 1.3}, {Title: "Примітки", Width: 2.6},
			},
			Rows: rows,
		}},
	}
}

func TestTableRepeatsHeaderOnEveryPage(t *testing.T) {
	const n = 5000
	out := render(t, returnList(n))
	isPDF(t, out)
	pages := pageTexts(t, out)
	if len(pages) < 2 {
		t.Fatalf("%d rows on %d page", n, len(pages))
	}
	for i, p := range pages {
		for _, want := range []string{"Прізвище та ім'я", "Законний представник", fmt.Sprintf("Сторінка %d з %d", i+1, len(pages))} {
			if !strings.Contains(p, want) {
				t.Fatalf("page %d lacks %q", i+1, want)
			}
		}
	}
	last := pages[len(pages)-1]
	if !strings.Contains(last, fmt.Sprintf("HW-%06d", n)) {
		t.Errorf("the last page lacks the last row")
	}
}

func TestTableRowsStayWhole(t *testing.T) {
	// Each row's cell has three lines, marked with the row's number, and the
	// rows are enough to cross several page breaks at every offset.
	rows := make([][]string, 300)
	for i := range rows {
		rows[i] = []string{fmt.Sprintf("row%dA\nrow%dB\nrow%dC", i, i, i), "Мар'яна"}
	}
	d := Document{Lang: "en", Blocks: []Block{
		Paragraph{Text: "Rows below must not be split."},
		Table{Columns: []Column{{Title: "Lines"}, {Title: "Name"}}, Rows: rows},
	}}
	pages := pageTexts(t, render(t, d))
	if len(pages) < 3 {
		t.Fatalf("%d pages: the test needs page breaks", len(pages))
	}
	for i := range rows {
		a, c := pageOf(pages, fmt.Sprintf("row%dA\n", i)), pageOf(pages, fmt.Sprintf("row%dC\n", i))
		if a < 0 || a != c {
			t.Fatalf("row %d starts on page %d and ends on page %d", i, a+1, c+1)
		}
	}
}

func pageOf(pages []string, s string) int {
	for i, p := range pages {
		if strings.Contains(p, s) {
			return i
		}
	}
	return -1
}

func TestTableRowTallerThanAPageContinuesOnTheNext(t *testing.T) {
	var lines []string
	for i := range 150 {
		lines = append(lines, fmt.Sprintf("line%03d", i))
	}
	d := Document{Lang: "en", Blocks: []Block{Table{
		Columns: []Column{{Title: "Long"}, {Title: "Short"}},
		Rows:    [][]string{{"before", "Ґ"}, {strings.Join(lines, "\n"), "Їжак"}, {"after", "Є"}},
	}}}
	pages := pageTexts(t, render(t, d))
	if len(pages) < 2 {
		t.Fatalf("%d pages for a row of 150 lines", len(pages))
	}
	prev := 0
	for _, l := range lines {
		p := pageOf(pages, l+"\n")
		if p < prev {
			t.Fatalf("%s is on page %d, before the line above it", l, p+1)
		}
		prev = p
	}
	for i, p := range pages {
		if !strings.Contains(p, "Long") {
			t.Errorf("page %d lacks the header", i+1)
		}
	}
}

func TestTableHeaderMovesWithItsFirstRow(t *testing.T) {
	// A paragraph fills the page nearly to the foot; the table must start on
	// the next page rather than leave its header alone.
	d := Document{Lang: "en", Blocks: []Block{
		Paragraph{Text: strings.Repeat("filler\n", 54)},
		Table{Columns: []Column{{Title: "HeaderTitle"}}, Rows: [][]string{{"a\nb\nc\nd\ne"}}},
	}}
	pages := pageTexts(t, render(t, d))
	if len(pages) != 2 {
		t.Fatalf("%d pages, want 2", len(pages))
	}
	if strings.Contains(pages[0], "HeaderTitle") {
		t.Error("the header stayed on the first page without its row")
	}
}
