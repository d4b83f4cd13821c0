package synth

import (
	"slices"
	"strings"
)

// moreRoots are further stems of Ukrainian surnames, written for this
// generator from common knowledge: given names and their old forms,
// occupations, animals and plants, looks and character, things of the house
// and the land. With surnameRoots and the suffixes they give the tens of
// thousands of surnames a country's children carry.
var moreRoots = strings.Fields(`
Абрам Авдє Агафон Адам Акім Алексє Амброс Ананій Андрух Анис Арсен Артем Архип Атаман Бабак Бабен Бабій
Бажан Байрак Балаб Балан Банд Баран Барвін Бас Басараб Батюк Бегун Безпал Безрук Бережн Береза Бесараб Білан
Білець Білоног Бідн Блаж Бобр Бобрик Богдан Богатир Божок Бойк Болот Бондарч Бородай Боров Бортн Брат Бровар
Бублик Бугай Буден Будник Бук Булав Бурк Бутк Валь Варвар Василиш Ващ Вдовиш Велич Вербиц Верес Вернигор Веселов
Вишн Вівчар Винар Вітков Власюк Вовк Возн Войт Волк Ворон Ворож Габор Гаврись Гайов Галаган Галь Ганж Гапон
Гарбуз Гвоздь Геращ Гетьман Гирич Гладк Глушк Гнид Гоголь Голов Голод Гончарук Горбат Гордієн Горіл Горобц Гребен
Грек Гречан Гриб Гринь Гринч Грищ Грузд Губ Гуменюк Гуц Давид Данил Дармограй Дацк Дегтяр Дем'ян Деркач
Десят Дзюб Дмитрук Добров Довган Долин Домар Донч Дорошк Драч Дрозд Дуд Дудар Дяч Євдоким Єрмол Жар Жеребц
Живот Жидк Жмур Жовтоног Журб Забар Заболот Завгород Загород Задорож Заїк Засух Захар Звар Зіньк Злотн Зозул
Золот Зорян Іванц Іллі Ілляш Ісак Кабан Кагарлиц Каз Калин Калюж Камін Капустян Карась Карпюк Катрич Кваш
Кизим Кирилюк Кисіль Клочк Книш Кобець Ковтун Кожум Козак Козаченк Козел Колесник Коломієц Комар Кондрат Корж Корнієн
Король Корольч Костенк Косяк Котляр Коцюб Кочерг Кошел Кравець Кривоніс Криж Крук Кудря Кулик Кулиш Кучер
Лавр Лагод Лазар Лемеш Лесик Липа Лисиц Лобод Логвин Лоз Лопат Лук'ян Луц Лях Ляш Мазепа Макар Максим
Малаш Мамай Манж Маньк Марин Маруш Масл Матвієн Мацюк Медвідь Мельник Мирош Мисник Митрофан Михайл Мовчан Мозг Мокр
Момот Мостов Мотрен Мох Музик Мусієн Набок Надточ Настас Нечипор Новак Новик Ногай Норен Обух Овсієн Огієн
Оліх Олешк Омелян Онищ Онуфр Орлик Осип Остапч Охріменк Палій Панас Панч Пархом Паць Пащ Перебий Перепел
Петрик Петруш Пили Писар Підгор Плах Плющ Побер Погріб Поліщук Полтав Пономар Попов Порох Потап Почтар Приймак Проць
Пташ Пуз Пушкар Радюк Ратуш Редьк Рибак Риж Рог Рожк Розум Рой Ромас Рубан Ружин Руснак Рябчук Савченк
Саєнк Сак Салій Самійл Самойл Сас Свирид Северин Селезн Семенюк Сердюк Сивак Сидорук Сіряк Скляр Сліпч Смаль
Сміян Соб Сокол Сологуб Сорочан Спис Стадн Станісл Старост Стельмах Степан Стогн Столяр Стрельч Струк Супрун Сухой
Тарасюк Твердохліб Теслюк Тимох Титар Тихон Ткаченк Товстоног Толоч Торб Трач Третяк Трохим Трубач Тупиц
Турч Угрюм Удович Ус Фед Федюк Філоненк Фоменк Форостян Франк Фролов Хандож Харит Химич Хмель Хоменк Хорт Хрущ
Цибул Цимбалюк Цісар Цюп Чабан Чалий Чепур Черкас Чернег Черняк Чепіг Чорновол Чумак Шабл Шаповалов Шаруб Швець
Шелест Шепель Шинкар Шкод Шпит Штепа Шуба Шумей Щук Юрченк Юсуп Яблон Явор Ягод Якимч Якуб Ялов Ярем Ясин Ящ
Баб Бевз Бердник Бешл Бондаренч Борщ Боцман Брус Вакарч Ведмеж Верет Вихор Вілен Гайдамак Гвоздик Гладун Голик Гоц
Гребін Гуцал Дейнек Добош Дорошенч Жила Жмак Зарудн Зінов Карпач Кармазин Квіт Кит Ковбас Кожух Колодяж Копит
Корнійч Кошов Крамар Кривошей Кузнец Купріян Лебід Левиц Литвиненч Лучк Мамон Маслюк Матіяш Медвідч Мельничук Мірош Мороз
Нагірн Найд Нестеренч Олексюк Онопр Оникі Павлюк Пасіч Петрушк Пилипч Плахотн Покотил Полянськ Посп Пригод Прокопч Пшеничн
Репет Рибалк Рудич Сав'як Свист Сенч Сич Скорик Слюсар Соломах Старч Стецюк Сулим Тарабан Тесл Тимошенч Тищенч
Товкач Трипіль Тростян Удод Фаст Федорук Халім Хвост Ціпк Чмир Чорноб Шаг Шамрай Швидк Шевчук Шкляр Шульг Щербак Юрк Яким
`)

// surnamePool is every root with every suffix, with Zipf–Mandelbrot
// weights over a fixed shuffled order: a few hundred surnames are common,
// the long tail is rare, and none takes more than a fraction of a percent,
// as in a real population.
type surnamePool struct {
	roots []string
	cum   []float64 // over root*len(surnameSuffixes)+suffix, by rank
	combo []int32   // rank → root*len(surnameSuffixes)+suffix
}

func newSurnamePool(g *gen) *surnamePool {
	p := &surnamePool{}
	seen := map[string]bool{}
	for _, r := range append(append([]string{}, surnameRoots...), moreRoots...) {
		if !seen[r] {
			seen[r] = true
			p.roots = append(p.roots, r)
		}
	}
	for i, r := range p.roots {
		for j, s := range surnameSuffixes {
			// A root ending in a vowel takes no suffix starting with one
			// (no "Кудряук"), nor one ending in the suffix's first letter
			// (no "Чернякко").
			last, first := lastRune(r), firstRune(s.ukM)
			if last == first || strings.ContainsAny(last, "аяоеєиіїую") && strings.ContainsAny(first, "аяоеєиіїую") {
				continue
			}
			p.combo = append(p.combo, int32(i*len(surnameSuffixes)+j))
		}
	}
	n := len(p.combo)
	// Suffixes are not equally common (-енко far more than -ар): the
	// suffix's weight moves a combination up the ranking.
	g.rng.Shuffle(n, func(i, j int) { p.combo[i], p.combo[j] = p.combo[j], p.combo[i] })
	score := make([]float64, len(p.roots)*len(surnameSuffixes))
	for rank, c := range p.combo {
		s := surnameSuffixes[int(c)%len(surnameSuffixes)]
		score[c] = float64(rank+1) / float64(s.weight)
	}
	sortByScore(p.combo, score)
	p.cum = make([]float64, n)
	total := 0.0
	for rank := range p.combo {
		total += 1 / (float64(rank) + 60)
		p.cum[rank] = total
	}
	return p
}

func sortByScore(c []int32, score []float64) {
	slices.SortStableFunc(c, func(a, b int32) int {
		switch {
		case score[a] < score[b]:
			return -1
		case score[a] > score[b]:
			return 1
		}
		return 0
	})
}

// pick draws a surname as its root and suffix indexes.
func (p *surnamePool) pick(g *gen) (root, suffix int) {
	x := g.rng.Float64() * p.cum[len(p.cum)-1]
	lo, hi := 0, len(p.cum)-1
	for lo < hi {
		mid := (lo + hi) / 2
		if p.cum[mid] > x {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	c := int(p.combo[lo])
	return c / len(surnameSuffixes), c % len(surnameSuffixes)
}

func firstRune(s string) string {
	for _, r := range s {
		return string(r)
	}
	return ""
}

func lastRune(s string) string {
	r := []rune(s)
	if len(r) == 0 {
		return ""
	}
	return string(r[len(r)-1])
}
