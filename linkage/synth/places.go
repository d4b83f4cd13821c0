package synth

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"strings"
	"sync"
)

// settlementsTSV is a reduced copy of the linkage package's KATOTTH table
// (see the file's head for its source). It is copied rather than imported so
// that this package stays independent of the engine it tests.
//
//go:embed settlements.tsv.gz
var settlementsTSV []byte

// place is a settlement with its raion and oblast, in both languages and in
// the Latin form used abroad.
type place struct {
	ukKind, ruKind string // "м." / "г.", "с." / "с.", "смт" / "пгт"
	uk, ru, lat    string
	raionUK        string
	oblast         int // index into oblastNames
}

// oblastNames renders a region in the forms birthplaces use: short and long
// Ukrainian, short and long Russian, Latin.
var oblastNames = []struct{ uk, ukShort, ru, ruShort, lat string }{
	{"Вінницька", "Вінницька обл.", "Винницкая область", "Винницкая обл.", "Vinnytsia Oblast"},
	{"Волинська", "Волинська обл.", "Волынская область", "Волынская обл.", "Volyn Oblast"},
	{"Дніпропетровська", "Дніпропетровська обл.", "Днепропетровская область", "Днепропетровская обл.", "Dnipropetrovsk Oblast"},
	{"Донецька", "Донецька обл.", "Донецкая область", "Донецкая обл.", "Donetsk Oblast"},
	{"Житомирська", "Житомирська обл.", "Житомирская область", "Житомирская обл.", "Zhytomyr Oblast"},
	{"Закарпатська", "Закарпатська обл.", "Закарпатская область", "Закарпатская обл.", "Zakarpattia Oblast"},
	{"Запорізька", "Запорізька обл.", "Запорожская область", "Запорожская обл.", "Zaporizhzhia Oblast"},
	{"Івано-Франківська", "Івано-Франківська обл.", "Ивано-Франковская область", "Ивано-Франковская обл.", "Ivano-Frankivsk Oblast"},
	{"Київська", "Київська обл.", "Киевская область", "Киевская обл.", "Kyiv Oblast"},
	{"Кіровоградська", "Кіровоградська обл.", "Кировоградская область", "Кировоградская обл.", "Kirovohrad Oblast"},
	{"Луганська", "Луганська обл.", "Луганская область", "Луганская обл.", "Luhansk Oblast"},
	{"Львівська", "Львівська обл.", "Львовская область", "Львовская обл.", "Lviv Oblast"},
	{"Миколаївська", "Миколаївська обл.", "Николаевская область", "Николаевская обл.", "Mykolaiv Oblast"},
	{"Одеська", "Одеська обл.", "Одесская область", "Одесская обл.", "Odesa Oblast"},
	{"Полтавська", "Полтавська обл.", "Полтавская область", "Полтавская обл.", "Poltava Oblast"},
	{"Рівненська", "Рівненська обл.", "Ровенская область", "Ровенская обл.", "Rivne Oblast"},
	{"Сумська", "Сумська обл.", "Сумская область", "Сумская обл.", "Sumy Oblast"},
	{"Тернопільська", "Тернопільська обл.", "Тернопольская область", "Тернопольская обл.", "Ternopil Oblast"},
	{"Харківська", "Харківська обл.", "Харьковская область", "Харьковская обл.", "Kharkiv Oblast"},
	{"Херсонська", "Херсонська обл.", "Херсонская область", "Херсонская обл.", "Kherson Oblast"},
	{"Хмельницька", "Хмельницька обл.", "Хмельницкая область", "Хмельницкая обл.", "Khmelnytskyi Oblast"},
	{"Черкаська", "Черкаська обл.", "Черкасская область", "Черкасская обл.", "Cherkasy Oblast"},
	{"Чернівецька", "Чернівецька обл.", "Черновицкая область", "Черновицкая обл.", "Chernivtsi Oblast"},
	{"Чернігівська", "Чернігівська обл.", "Черниговская область", "Черниговская обл.", "Chernihiv Oblast"},
	{"Автономна Республіка Крим", "Автономна Республіка Крим", "Автономная Республика Крым", "Автономная Республика Крым", "Crimea"},
}

// warOblasts are the regions occupied or fought over, where most separated
// children come from; their settlements are drawn more often.
var warOblasts = map[string]bool{
	"Донецька": true, "Луганська": true, "Запорізька": true, "Херсонська": true, "Харківська": true,
	"Миколаївська": true, "Київська": true, "Чернігівська": true, "Сумська": true,
	"Дніпропетровська": true, "Автономна Республіка Крим": true,
}

// bigCities are oblast centres and other large cities: without population
// figures in the codifier, they are what makes the draw lean on cities as
// births do.
var bigCities = map[string]bool{
	"Вінниця": true, "Луцьк": true, "Дніпро": true, "Кривий Ріг": true, "Кам'янське": true,
	"Донецьк": true, "Маріуполь": true, "Макіївка": true, "Горлівка": true, "Краматорськ": true,
	"Житомир": true, "Ужгород": true, "Запоріжжя": true, "Мелітополь": true, "Бердянськ": true,
	"Івано-Франківськ": true, "Біла Церква": true, "Кропивницький": true, "Луганськ": true,
	"Алчевськ": true, "Сєвєродонецьк": true, "Львів": true, "Миколаїв": true, "Одеса": true,
	"Полтава": true, "Кременчук": true, "Рівне": true, "Суми": true, "Тернопіль": true,
	"Харків": true, "Херсон": true, "Хмельницький": true, "Черкаси": true, "Чернівці": true,
	"Чернігів": true, "Сімферополь": true, "Керч": true, "Євпаторія": true,
}

// knownRU are Russian names that the rules of russianPlace would not give.
var knownRU = map[string]string{
	"Слов'янськ": "Славянск", "Олешки": "Алешки", "Охтирка": "Ахтырка", "Снігурівка": "Снигирёвка",
	"Енергодар": "Энергодар", "Якимівка": "Акимовка", "Сєвєродонецьк": "Северодонецк",
	"Рубіжне": "Рубежное", "Старобільськ": "Старобельск", "Ірпінь": "Ирпень", "Дніпро": "Днепр",
	"Кривий Ріг": "Кривой Рог", "Запоріжжя": "Запорожье", "Рівне": "Ровно", "Чернівці": "Черновцы",
	"Одеса": "Одесса", "Черкаси": "Черкассы", "Суми": "Сумы", "Тернопіль": "Тернополь",
	"Кременчук": "Кременчуг", "Харків": "Харьков", "Біла Церква": "Белая Церковь", "Керч": "Керчь", "Львів": "Львов",
}

type settlements struct {
	list []place
	cum  []int
}

var (
	placesOnce sync.Once
	allPlaces  *settlements
)

// thePlaces loads the embedded table once; it is read-only afterwards.
func thePlaces() *settlements {
	placesOnce.Do(func() {
		s := &settlements{}
		obl := map[string]int{}
		for i, o := range oblastNames {
			obl[o.uk] = i
		}
		zr, err := gzip.NewReader(bytes.NewReader(settlementsTSV))
		if err != nil {
			panic("synth: settlements table: " + err.Error())
		}
		sc := bufio.NewScanner(zr)
		total := 0
		for sc.Scan() {
			line := sc.Text()
			if strings.HasPrefix(line, "#") {
				continue
			}
			f := strings.Split(line, "\t")
			if len(f) != 4 {
				continue
			}
			o, ok := obl[f[2]]
			if !ok {
				continue
			}
			p := place{uk: f[0], ru: russianPlace(f[0]), lat: kmu2010.translit(f[0]), raionUK: f[3], oblast: o}
			w := 1
			switch f[1] {
			case "M":
				p.ukKind, p.ruKind, w = "м.", "г.", 30
				if bigCities[f[0]] {
					w = 300
				}
			case "X":
				p.ukKind, p.ruKind, w = "смт", "пгт", 5
			default:
				p.ukKind, p.ruKind = "с.", "с."
			}
			if warOblasts[f[2]] {
				w *= 3
			}
			total += w
			s.list = append(s.list, p)
			s.cum = append(s.cum, total)
		}
		if len(s.list) == 0 {
			panic("synth: the settlements table is empty")
		}
		allPlaces = s
	})
	return allPlaces
}

// russianPlace renders a Ukrainian settlement name as Russian records write
// it, by the regular correspondences (-івка → -овка, -ськ → -ск, і → и,
// Олександр- → Александр-, adjective endings); irregular names come from
// knownRU.
func russianPlace(uk string) string {
	if ru, ok := knownRU[uk]; ok {
		return ru
	}
	words := strings.Split(uk, " ")
	for i, w := range words {
		words[i] = russianPlaceWord(w, i < len(words)-1)
	}
	return strings.Join(words, " ")
}

func russianPlaceWord(w string, adjective bool) string {
	for _, p := range [][2]string{{"Олександр", "Александр"}, {"Олексі", "Алексе"}, {"Микола", "Никола"}, {"Миколаї", "Николае"}} {
		if strings.HasPrefix(w, p[0]) {
			w = p[1] + strings.TrimPrefix(w, p[0])
		}
	}
	for _, p := range [][2]string{{"іївка", "еевка"}, {"ївка", "евка"}, {"івка", "овка"}, {"ївськ", "евск"}, {"івськ", "овск"}} {
		w = strings.ReplaceAll(w, p[0], p[1])
	}
	for _, p := range [][2]string{{"їв", "ев"}, {"ів", "ов"}, {"ське", "ское"}, {"цьке", "цкое"}} {
		if strings.HasSuffix(w, p[0]) {
			w = strings.TrimSuffix(w, p[0]) + p[1]
			break
		}
	}
	// Names in -е are neuter adjectives (Рубіжне, Трудове): Russian -ое.
	if strings.HasSuffix(w, "е") && !strings.HasSuffix(w, "ое") {
		w = strings.TrimSuffix(w, "е") + "ое"
	}
	if adjective {
		switch {
		case strings.HasSuffix(w, "а"):
			w += "я"
		case strings.HasSuffix(w, "кий"), strings.HasSuffix(w, "гий"), strings.HasSuffix(w, "хий"):
		case strings.HasSuffix(w, "ий"):
			w = strings.TrimSuffix(w, "ий") + "ый"
		}
	}
	w = strings.ReplaceAll(w, "ськ", "ск")
	w = strings.ReplaceAll(w, "цьк", "цк")
	var b strings.Builder
	for _, r := range w {
		switch r {
		case 'і':
			b.WriteRune('и')
		case 'І':
			b.WriteRune('И')
		case 'ї':
			b.WriteRune('и')
		case 'Ї':
			b.WriteRune('И')
		case 'є':
			b.WriteRune('е')
		case 'Є':
			b.WriteRune('Е')
		case 'ґ':
			b.WriteRune('г')
		case 'Ґ':
			b.WriteRune('Г')
		case '\'', '’':
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
