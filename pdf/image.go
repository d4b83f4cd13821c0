package pdf

import (
	"bytes"
	"fmt"
	"image"
	"image/draw"
	"image/jpeg"
	"image/png"

	"codeberg.org/go-pdf/fpdf"

	"github.com/homeward-project/homeward"
)

// decodedImage is an image checked and normalised for fpdf.
type decodedImage struct {
	data []byte
	kind string // fpdf's image type: "jpg" or "png"
	w, h int    // pixels, as displayed
}

// Image layout in millimetres.
const (
	defaultImageHeight = 100.0
	captionGap         = 1.5
	pxPerMM            = 96 / 25.4
)

// decodeImages checks every Image block and prepares it for fpdf, by block
// index. Each image is decoded in full: fpdf reads only a JPEG's header and
// would embed a truncated file as it is, and its own PNG reader handles
// neither interlacing nor 16-bit channels and can panic on a malformed file.
// So PNGs are re-encoded by the standard library, which fpdf reads reliably,
// and a JPEG is re-encoded only when it must be turned upright or is CMYK
// (which PDF viewers print inverted without a decode array fpdf omits).
func decodeImages(blocks []Block) (map[int]decodedImage, error) {
	var out map[int]decodedImage
	for i, b := range blocks {
		img, ok := b.(Image)
		if !ok {
			continue
		}
		d, err := decodeImage(img)
		if err != nil {
			return nil, homeward.Errorf(homeward.EINVALID, "Block %d (image): %s.", i+1, err)
		}
		if out == nil {
			out = make(map[int]decodedImage)
		}
		out[i] = d
	}
	return out, nil
}

func decodeImage(img Image) (decodedImage, error) {
	var (
		decodeConfig func([]byte) (image.Config, error)
		decode       func([]byte) (image.Image, error)
	)
	switch img.ContentType {
	case "image/jpeg":
		decodeConfig = func(b []byte) (image.Config, error) { return jpeg.DecodeConfig(bytes.NewReader(b)) }
		decode = func(b []byte) (image.Image, error) { return jpeg.Decode(bytes.NewReader(b)) }
	case "image/png":
		decodeConfig = func(b []byte) (image.Config, error) { return png.DecodeConfig(bytes.NewReader(b)) }
		decode = func(b []byte) (image.Image, error) { return png.Decode(bytes.NewReader(b)) }
	default:
		return decodedImage{}, fmt.Errorf("the content type must be image/jpeg or image/png")
	}
	if len(img.Data) == 0 {
		return decodedImage{}, fmt.Errorf("the image is empty")
	}
	if len(img.Data) > MaxImageBytes {
		return decodedImage{}, fmt.Errorf("the image is larger than %d bytes", MaxImageBytes)
	}
	cfg, err := decodeConfig(img.Data)
	if err != nil {
		return decodedImage{}, fmt.Errorf("the image is not a valid %s file", img.ContentType)
	}
	// Checked before decoding, so that a small file claiming huge
	// dimensions allocates nothing.
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > MaxImagePixels/cfg.Height {
		return decodedImage{}, fmt.Errorf("the image has more than %d pixels", MaxImagePixels)
	}
	m, err := decode(img.Data)
	if err != nil {
		return decodedImage{}, fmt.Errorf("the image is not a valid %s file", img.ContentType)
	}

	var buf bytes.Buffer
	if img.ContentType == "image/jpeg" {
		o := jpegOrientation(img.Data)
		_, cmyk := m.(*image.CMYK)
		if o == 1 && !cmyk {
			return decodedImage{data: img.Data, kind: "jpg", w: cfg.Width, h: cfg.Height}, nil
		}
		m = orient(m, o)
		if err := jpeg.Encode(&buf, m, &jpeg.Options{Quality: 92}); err != nil {
			return decodedImage{}, fmt.Errorf("the image could not be re-encoded")
		}
		b := m.Bounds()
		return decodedImage{data: buf.Bytes(), kind: "jpg", w: b.Dx(), h: b.Dy()}, nil
	}
	if _, gray := m.(*image.Gray); !gray {
		m = toNRGBA(m) // 8-bit, non-interlaced, no palette: what fpdf reads
	}
	if err := png.Encode(&buf, m); err != nil {
		return decodedImage{}, fmt.Errorf("the image could not be re-encoded")
	}
	return decodedImage{data: buf.Bytes(), kind: "png", w: cfg.Width, h: cfg.Height}, nil
}

func toNRGBA(m image.Image) *image.NRGBA {
	if n, ok := m.(*image.NRGBA); ok {
		return n
	}
	b := m.Bounds()
	n := image.NewNRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(n, n.Bounds(), m, b.Min, draw.Src)
	return n
}

// image places a picture at the text's left edge, on a new page when it
// and the start of its caption do not fit on this one.
func (r *renderer) image(i int, b Image) {
	im := r.images[i]
	name := fmt.Sprintf("image%d", i)
	opt := fpdf.ImageOptions{ImageType: im.kind}
	// Registering from bytes first matters: given an unknown name,
	// ImageOptions would try to open a file by that name.
	r.f.RegisterImageOptionsReader(name, opt, bytes.NewReader(im.data))
	if r.f.Err() {
		return
	}

	w, h := float64(im.w)/pxPerMM, float64(im.h)/pxPerMM
	maxW, maxH := r.width, defaultImageHeight
	if b.MaxWidthMM > 0 {
		maxW = min(b.MaxWidthMM, r.width)
	}
	if b.MaxHeightMM > 0 {
		maxH = b.MaxHeightMM
	}
	maxH = min(maxH, r.bottom-r.top)
	s := min(1, maxW/w, maxH/h)
	w, h = w*s, h*s

	r.fonts.use(regular, captionSize)
	lh := lineHeight(captionSize)
	var caption []string
	if b.Caption != "" {
		caption = wrap(clean(b.Caption, false), r.width, r.measure)
	}
	keep := h
	if len(caption) > 0 {
		keep += captionGap + float64(min(2, len(caption)))*lh
	}
	if !r.fresh() && !r.room(keep) {
		r.newPage()
	}
	r.f.ImageOptions(name, r.left, r.y, w, h, false, opt, 0, "")
	r.y += h
	if len(caption) > 0 {
		r.y += captionGap
		r.f.SetTextColor(mutedGrey, mutedGrey, mutedGrey)
		r.flow(caption, r.left, lh)
	}
	r.y += afterBlock
}
