package pdf

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"
	"testing"

	"github.com/homeward-project/homeward"
)

func testPNG(t testing.TB, w, h int) []byte {
	t.Helper()
	return encodePNG(t, gradient(image.NewNRGBA(image.Rect(0, 0, w, h))))
}

func encodePNG(t testing.TB, m image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, m); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func testJPEG(t testing.TB, w, h int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, gradient(image.NewRGBA(image.Rect(0, 0, w, h))), nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// gradient fills m so that no two images of different sizes look alike.
func gradient[M draw.Image](m M) M {
	b := m.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			m.Set(x, y, color.NRGBA{uint8(x * 255 / b.Dx()), uint8(y * 255 / b.Dy()), 128, 255})
		}
	}
	return m
}

// withOrientation inserts an EXIF APP1 segment stating orientation o after
// a JPEG's SOI marker.
func withOrientation(jpg []byte, o uint16) []byte {
	var tiff bytes.Buffer
	tiff.WriteString("MM")
	binary.Write(&tiff, binary.BigEndian, uint16(42))
	binary.Write(&tiff, binary.BigEndian, uint32(8)) // IFD0 offset
	binary.Write(&tiff, binary.BigEndian, uint16(1)) // one entry
	binary.Write(&tiff, binary.BigEndian, []uint16{0x0112, 3})
	binary.Write(&tiff, binary.BigEndian, uint32(1))
	binary.Write(&tiff, binary.BigEndian, []uint16{o, 0})
	binary.Write(&tiff, binary.BigEndian, uint32(0)) // no next IFD
	seg := append([]byte("Exif\x00\x00"), tiff.Bytes()...)
	out := append([]byte{}, jpg[:2]...)
	out = append(out, 0xFF, 0xE1, byte((len(seg)+2)>>8), byte(len(seg)+2))
	out = append(out, seg...)
	return append(out, jpg[2:]...)
}

func TestImageRenders(t *testing.T) {
	gray := image.NewGray(image.Rect(0, 0, 20, 10))
	alpha := image.NewNRGBA(image.Rect(0, 0, 20, 10))
	alpha.Set(3, 3, color.NRGBA{200, 10, 10, 100})
	deep := image.NewRGBA64(image.Rect(0, 0, 20, 10))
	deep.Set(1, 1, color.RGBA64{0xffff, 0x1234, 0, 0xffff})
	pal := image.NewPaletted(image.Rect(0, 0, 20, 10), color.Palette{color.Black, color.Transparent, color.White})
	pal.SetColorIndex(2, 2, 1)
	for _, tc := range []struct {
		name  string
		img   Image
		wantW int // pixels as placed, 0 for no check
		wantH int
	}{
		{"jpeg", Image{Data: testJPEG(t, 300, 400), ContentType: "image/jpeg", Caption: "Фото: Олександр Коваленко"}, 300, 400},
		{"jpeg turned", Image{Data: withOrientation(testJPEG(t, 300, 400), 6), ContentType: "image/jpeg"}, 400, 300},
		{"jpeg mirrored", Image{Data: withOrientation(testJPEG(t, 300, 400), 2), ContentType: "image/jpeg"}, 300, 400},
		{"png", Image{Data: testPNG(t, 64, 48), ContentType: "image/png"}, 64, 48},
		{"png gray", Image{Data: encodePNG(t, gray), ContentType: "image/png"}, 20, 10},
		{"png alpha", Image{Data: encodePNG(t, alpha), ContentType: "image/png"}, 20, 10},
		{"png 16-bit", Image{Data: encodePNG(t, deep), ContentType: "image/png"}, 20, 10},
		{"png palette", Image{Data: encodePNG(t, pal), ContentType: "image/png"}, 20, 10},
		{"large, shrunk to its box", Image{Data: testJPEG(t, 2000, 3000), ContentType: "image/jpeg", MaxWidthMM: 40, MaxHeightMM: 40}, 2000, 3000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := decodeImage(tc.img)
			if err != nil {
				t.Fatal(err)
			}
			if d.w != tc.wantW || d.h != tc.wantH {
				t.Errorf("decoded as %d×%d, want %d×%d", d.w, d.h, tc.wantW, tc.wantH)
			}
			out := render(t, Document{Lang: "uk", Blocks: []Block{Heading{Text: "Фото"}, tc.img}})
			isPDF(t, out)
			if !bytes.Contains(out, []byte("/Subtype /Image")) {
				t.Error("no image object in the output")
			}
		})
	}
}

func TestBadImageErrors(t *testing.T) {
	jpg := testJPEG(t, 64, 64)
	pngData := testPNG(t, 64, 64)
	// A PNG header claiming 100,000 × 100,000 pixels.
	huge := append([]byte{}, pngData...)
	binary.BigEndian.PutUint32(huge[16:], 100000)
	binary.BigEndian.PutUint32(huge[20:], 100000)
	for _, tc := range []struct {
		name string
		img  Image
	}{
		{"not an image", Image{Data: []byte("Олександр Коваленко"), ContentType: "image/jpeg"}},
		{"empty", Image{ContentType: "image/png"}},
		{"truncated jpeg", Image{Data: jpg[:len(jpg)/2], ContentType: "image/jpeg"}},
		{"truncated png", Image{Data: pngData[:len(pngData)/2], ContentType: "image/png"}},
		{"png said to be jpeg", Image{Data: pngData, ContentType: "image/jpeg"}},
		{"unsupported type", Image{Data: jpg, ContentType: "image/gif"}},
		{"no type", Image{Data: jpg}},
		{"too many pixels", Image{Data: huge, ContentType: "image/png"}},
		{"too many bytes", Image{Data: make([]byte, MaxImageBytes+1), ContentType: "image/png"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := Write(&buf, Document{Lang: "en", Blocks: []Block{Paragraph{Text: "x"}, tc.img}})
			if code := homeward.ErrorCode(err); code != homeward.EINVALID {
				t.Fatalf("error %v (code %q), want %q", err, code, homeward.EINVALID)
			}
			if msg := homeward.ErrorMessage(err); !bytes.Contains([]byte(msg), []byte("Block 2 (image)")) {
				t.Errorf("message %q does not name the block", msg)
			}
			if buf.Len() > 0 {
				t.Error("wrote output for a bad image")
			}
		})
	}
}

func TestJPEGOrientation(t *testing.T) {
	jpg := testJPEG(t, 8, 4)
	for o := uint16(1); o <= 8; o++ {
		if got := jpegOrientation(withOrientation(jpg, o)); got != int(o) {
			t.Errorf("orientation %d read as %d", o, got)
		}
	}
	for name, b := range map[string][]byte{
		"no exif":           jpg,
		"out of range":      withOrientation(jpg, 9),
		"not a jpeg":        []byte("\x89PNG"),
		"truncated segment": withOrientation(jpg, 6)[:20],
	} {
		if got := jpegOrientation(b); got != 1 {
			t.Errorf("%s: orientation %d, want 1", name, got)
		}
	}
}

func TestOrientTurnsPixels(t *testing.T) {
	// A 2×1 image, red then blue. Orientation 6 stores it turned a quarter
	// anticlockwise; upright it is 1×2, red above blue.
	m := image.NewRGBA(image.Rect(0, 0, 2, 1))
	red, blue := color.RGBA{255, 0, 0, 255}, color.RGBA{0, 0, 255, 255}
	m.Set(0, 0, red)
	m.Set(1, 0, blue)
	for _, tc := range []struct {
		o          int
		w, h       int
		first, end image.Point // where red and blue land
	}{
		{1, 2, 1, image.Pt(0, 0), image.Pt(1, 0)},
		{2, 2, 1, image.Pt(1, 0), image.Pt(0, 0)},
		{3, 2, 1, image.Pt(1, 0), image.Pt(0, 0)},
		{6, 1, 2, image.Pt(0, 0), image.Pt(0, 1)},
		{8, 1, 2, image.Pt(0, 1), image.Pt(0, 0)},
	} {
		got := orient(m, tc.o)
		if got.Bounds().Dx() != tc.w || got.Bounds().Dy() != tc.h {
			t.Errorf("orientation %d: %v, want %d×%d", tc.o, got.Bounds(), tc.w, tc.h)
			continue
		}
		if got.At(tc.first.X, tc.first.Y) != red || got.At(tc.end.X, tc.end.Y) != blue {
			t.Errorf("orientation %d: red and blue not at %v and %v", tc.o, tc.first, tc.end)
		}
	}
}

func FuzzJPEGOrientation(f *testing.F) {
	jpg := testJPEG(f, 8, 8)
	f.Add(jpg)
	f.Add(withOrientation(jpg, 6))
	f.Add(withOrientation(jpg, 3)[:40])
	f.Fuzz(func(t *testing.T, b []byte) {
		if o := jpegOrientation(b); o < 1 || o > 8 {
			t.Fatalf("orientation %d", o)
		}
	})
}

func FuzzDecodeImage(f *testing.F) {
	f.Add(testJPEG(f, 8, 8), true)
	f.Add(testPNG(f, 8, 8), false)
	f.Fuzz(func(t *testing.T, b []byte, isJPEG bool) {
		ct := "image/png"
		if isJPEG {
			ct = "image/jpeg"
		}
		img := Image{Data: b, ContentType: ct}
		if _, err := decodeImage(img); err != nil {
			return
		}
		// What decodes must render.
		if err := Write(new(bytes.Buffer), Document{Lang: "en", Blocks: []Block{img}}); err != nil {
			t.Fatalf("decoded but did not render: %v", err)
		}
	})
}
