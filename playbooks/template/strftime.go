package template

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/nikolalohinski/gonja/v2/exec"
)

// fStrftime is strftime(second=None, utc=False): time.strftime(format,
// localtime(second) or gmtime(second)), now when second is None.
func fStrftime(in any, args *exec.VarArgs) (any, error) {
	t := time.Now()
	if sv, ok := argValue(args, 0, "second"); ok && sv != nil {
		var sec float64
		var err error
		switch x := sv.(type) {
		case int:
			sec = float64(x)
		case float64:
			sec = x
		case bool:
			if x {
				sec = 1
			}
		case string:
			sec, err = strconv.ParseFloat(strings.TrimSpace(x), 64)
		default:
			err = fmt.Errorf("not a number")
		}
		if err != nil {
			return nil, fmt.Errorf("Invalid value for epoch value (%s)", pyText(sv))
		}
		if math.IsNaN(sec) || math.IsInf(sec, 0) || math.Abs(sec) > 1e17 {
			return nil, fmt.Errorf("timestamp out of range for platform time_t")
		}
		t = time.Unix(int64(math.Floor(sec)), 0)
	}
	utc := argBool(args, 1, "utc", false)
	if utc {
		t = t.UTC()
	} else {
		t = t.Local()
	}
	return strftime(pyText(in), t, utc), nil
}

var (
	weekdays = []string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
	months   = []string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
)

// strftime formats t as glibc's strftime does in the C locale (the
// conversions, the _ - 0 ^ # flags, field widths; E and O modifiers are
// ignored; an unknown conversion is copied). gmt names the zone GMT, as
// Python's gmtime does.
func strftime(format string, t time.Time, gmt bool) string {
	var b strings.Builder
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' {
			b.WriteByte(c)
			continue
		}
		start := i
		var pad byte
		upper, swap := false, false
		j := i + 1
	flags:
		for ; j < len(format); j++ {
			switch format[j] {
			case '_', '-', '0':
				pad = format[j]
			case '^':
				upper = true
			case '#':
				swap = true
			default:
				break flags
			}
		}
		width := -1
		for ; j < len(format) && format[j] >= '0' && format[j] <= '9'; j++ {
			if width < 0 {
				width = 0
			}
			if width < 1<<20 {
				width = width*10 + int(format[j]-'0')
			}
		}
		for ; j < len(format) && (format[j] == 'E' || format[j] == 'O'); j++ {
		}
		if j >= len(format) {
			// A directive cut short is copied (padded to its width).
			b.WriteString(padText(format[start:], width, pad))
			break
		}
		i = j
		num := func(v, digits int, spacepad bool) {
			b.WriteString(padNumber(v, digits, spacepad, pad, width))
		}
		text := func(s string, swapLower bool) {
			if upper || (swap && !swapLower) {
				s = strings.ToUpper(s)
			} else if swap {
				s = strings.ToLower(s)
			}
			b.WriteString(padText(s, width, pad))
		}
		hour12 := t.Hour() % 12
		if hour12 == 0 {
			hour12 = 12
		}
		isoYear, isoWeek := t.ISOWeek()
		yday := t.YearDay() - 1
		wday := int(t.Weekday())
		switch format[j] {
		case 'a':
			text(weekdays[wday][:3], false)
		case 'A':
			text(weekdays[wday], false)
		case 'b', 'h':
			text(months[t.Month()-1][:3], false)
		case 'B':
			text(months[t.Month()-1], false)
		case 'c':
			text(strftime("%a %b %e %H:%M:%S %Y", t, gmt), false)
		case 'C':
			num(floorDiv(t.Year(), 100), 2, false)
		case 'd':
			num(t.Day(), 2, false)
		case 'D', 'x':
			text(strftime("%m/%d/%y", t, gmt), false)
		case 'e':
			num(t.Day(), 2, true)
		case 'F':
			text(strftime("%Y-%m-%d", t, gmt), false)
		case 'g':
			num(floorMod(isoYear, 100), 2, false)
		case 'G':
			num(isoYear, 1, false)
		case 'H':
			num(t.Hour(), 2, false)
		case 'I':
			num(hour12, 2, false)
		case 'j':
			num(yday+1, 3, false)
		case 'k':
			num(t.Hour(), 2, true)
		case 'l':
			num(hour12, 2, true)
		case 'm':
			num(int(t.Month()), 2, false)
		case 'M':
			num(t.Minute(), 2, false)
		case 'n':
			text("\n", false)
		case 'p', 'P':
			s := "AM"
			if t.Hour() >= 12 {
				s = "PM"
			}
			if format[j] == 'P' {
				s = strings.ToLower(s)
			}
			text(s, true)
		case 'r':
			text(strftime("%I:%M:%S %p", t, gmt), false)
		case 'R':
			text(strftime("%H:%M", t, gmt), false)
		case 's':
			num(int(t.Unix()), 1, false)
		case 'S':
			num(t.Second(), 2, false)
		case 't':
			text("\t", false)
		case 'T', 'X':
			text(strftime("%H:%M:%S", t, gmt), false)
		case 'u':
			num((wday+6)%7+1, 1, false)
		case 'U':
			num((yday+7-wday)/7, 2, false)
		case 'V':
			num(isoWeek, 2, false)
		case 'w':
			num(wday, 1, false)
		case 'W':
			num((yday+7-(wday+6)%7)/7, 2, false)
		case 'y':
			num(floorMod(t.Year(), 100), 2, false)
		case 'Y':
			num(t.Year(), 1, false)
		case 'z':
			_, off := t.Zone()
			sign := byte('+')
			if off < 0 {
				sign, off = '-', -off
			}
			text(fmt.Sprintf("%c%02d%02d", sign, off/3600, off/60%60), false)
		case 'Z':
			name, _ := t.Zone()
			if gmt {
				name = "GMT"
			}
			text(name, true)
		case '%':
			text("%", false)
		default:
			b.WriteString(padText(format[start:j+1], width, pad))
		}
	}
	return b.String()
}

func floorDiv(a, b int) int {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func floorMod(a, b int) int { return a - floorDiv(a, b)*b }

// padNumber formats v as glibc does: to digits (zeros, or spaces for the
// space-padded conversions and the _ flag; - pads nothing), then to an
// explicit width.
func padNumber(v, digits int, spacepad bool, pad byte, width int) string {
	if spacepad && pad != '0' && pad != '-' {
		pad = '_'
	}
	if pad == 0 {
		pad = '0'
	}
	neg := v < 0
	s := strconv.Itoa(v)
	if neg {
		s = s[1:]
	}
	if pad == '-' {
		if neg {
			s = "-" + s
		}
		return padText(s, width, ' ')
	}
	w := digits
	if width >= 0 {
		w = width
	}
	if neg {
		w--
	}
	if len(s) < w {
		if pad == '0' {
			s = strings.Repeat("0", w-len(s)) + s
			if neg {
				s = "-" + s
			}
			return s
		}
		s = strings.Repeat(" ", w-len(s)) + s
	}
	if neg {
		s = "-" + s
	}
	return s
}

// padText left-pads s to width with spaces, or zeros under the 0 flag.
func padText(s string, width int, pad byte) string {
	if width <= len(s) {
		return s
	}
	fill := " "
	if pad == '0' {
		fill = "0"
	}
	return strings.Repeat(fill, width-len(s)) + s
}
