package intake

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"image/jpeg"
	"image/png"
	"io"
	"mime"
	"strings"

	"golang.org/x/image/webp"

	"github.com/presswatch/presswatch/internal/domain"
)

// MaxStripInput is the largest file StripMetadata reads.
const MaxStripInput = 256 << 20

// MaxStripPixels bounds the decoded size of an image (width × height), so a
// small file that decodes to gigabytes is refused before decoding.
const MaxStripPixels = 50_000_000

// ErrNeedsConfirmation is wrapped by StripMetadata's error for media types it
// cannot clean: the caller may publish such a file only after an editor
// explicitly confirms it has been checked. The error's code is EINVALID.
var ErrNeedsConfirmation = errors.New("intake: cannot strip metadata from this type; publish only on explicit confirmation")

// StripMetadata returns a copy of a file for publication without the
// metadata that can identify a source:
//
//   - image/jpeg: decoded and re-encoded (quality 92) with the EXIF
//     orientation applied; no APP segments (EXIF, GPS, XMP, ICC, comments)
//     survive. Output image/jpeg.
//   - image/png: decoded and re-encoded; no ancillary chunks (tEXt, zTXt,
//     iTXt, eXIf, iCCP, tIME…) survive; an eXIf orientation is applied.
//     Output image/png.
//   - image/webp: decoded and re-encoded as image/png.
//   - application/pdf: the document information dictionaries, XMP metadata
//     streams and the file identifiers are overwritten in place (see
//     scrubPDF). Output application/pdf.
//
// Any other type gives an error wrapping ErrNeedsConfirmation. Input that
// does not parse as its declared type gives EINVALID. The input is only
// read, never modified, so the sealed original keeps its hash.
func StripMetadata(r io.Reader, mediaType string) (stripped []byte, outType string, err error) {
	mt, _, perr := mime.ParseMediaType(mediaType)
	if perr != nil {
		mt = strings.ToLower(strings.TrimSpace(mediaType))
	}
	switch mt {
	case "image/jpeg", "image/jpg", "image/png", "image/webp", "application/pdf":
	default:
		return nil, "", fmt.Errorf("%w: %w", ErrNeedsConfirmation,
			domain.Errorf(domain.EINVALID, "Files of type %q cannot be cleaned of metadata automatically; publish only after checking it and confirming.", mt))
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxStripInput+1))
	if err != nil {
		return nil, "", fmt.Errorf("intake: strip: read: %w", err)
	}
	if len(data) > MaxStripInput {
		return nil, "", domain.Errorf(domain.ETOOLARGE, "The file is too large to clean.")
	}
	switch mt {
	case "image/jpeg", "image/jpg":
		out, err := stripJPEG(data)
		return out, "image/jpeg", err
	case "image/png":
		out, err := stripPNG(data)
		return out, "image/png", err
	case "image/webp":
		out, err := stripWebP(data)
		return out, "image/png", err
	default: // application/pdf
		out, err := scrubPDF(data)
		return out, "application/pdf", err
	}
}

func invalidImage(kind string, err error) error {
	return fmt.Errorf("intake: strip %s: %w: %w", kind, err, domain.Errorf(domain.EINVALID, "The file is not a readable %s image.", strings.ToUpper(kind)))
}

func checkPixels(kind string, cfg image.Config) error {
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > MaxStripPixels {
		return fmt.Errorf("intake: strip %s: %dx%d pixels: %w", kind, cfg.Width, cfg.Height,
			domain.Errorf(domain.EINVALID, "The image is too large to clean (%d × %d pixels).", cfg.Width, cfg.Height))
	}
	return nil
}

func stripJPEG(data []byte) ([]byte, error) {
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, invalidImage("jpeg", err)
	}
	if err := checkPixels("jpeg", cfg); err != nil {
		return nil, err
	}
	img, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, invalidImage("jpeg", err)
	}
	img = applyOrientation(img, jpegOrientation(data))
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 92}); err != nil {
		return nil, fmt.Errorf("intake: strip jpeg: encode: %w", err)
	}
	return buf.Bytes(), nil
}

func stripPNG(data []byte) ([]byte, error) {
	cfg, err := png.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, invalidImage("png", err)
	}
	if err := checkPixels("png", cfg); err != nil {
		return nil, err
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, invalidImage("png", err)
	}
	img = applyOrientation(img, pngOrientation(data))
	return encodePNG(img)
}

func stripWebP(data []byte) ([]byte, error) {
	cfg, err := webp.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, invalidImage("webp", err)
	}
	if err := checkPixels("webp", cfg); err != nil {
		return nil, err
	}
	img, err := webp.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, invalidImage("webp", err)
	}
	return encodePNG(img)
}

func encodePNG(img image.Image) ([]byte, error) {
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.DefaultCompression}
	if err := enc.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("intake: strip: encode png: %w", err)
	}
	return buf.Bytes(), nil
}

// applyOrientation turns img upright according to an EXIF orientation
// (1–8); other values leave it as it is.
func applyOrientation(img image.Image, orientation int) image.Image {
	if orientation < 2 || orientation > 8 {
		return img
	}
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	src := image.NewNRGBA(image.Rect(0, 0, w, h))
	draw.Draw(src, src.Bounds(), img, b.Min, draw.Src)
	dw, dh := w, h
	if orientation >= 5 { // 5–8 swap the axes
		dw, dh = h, w
	}
	dst := image.NewNRGBA(image.Rect(0, 0, dw, dh))
	for y := range h {
		for x := range w {
			var dx, dy int
			switch orientation {
			case 2: // mirror horizontal
				dx, dy = w-1-x, y
			case 3: // rotate 180
				dx, dy = w-1-x, h-1-y
			case 4: // mirror vertical
				dx, dy = x, h-1-y
			case 5: // transpose
				dx, dy = y, x
			case 6: // rotate 90 clockwise
				dx, dy = h-1-y, x
			case 7: // transverse
				dx, dy = h-1-y, w-1-x
			case 8: // rotate 90 counter-clockwise
				dx, dy = y, w-1-x
			}
			si := src.PixOffset(x, y)
			di := dst.PixOffset(dx, dy)
			copy(dst.Pix[di:di+4], src.Pix[si:si+4])
		}
	}
	return dst
}
