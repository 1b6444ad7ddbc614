package charts

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"

	"helm.sh/helm/v4/pkg/chart"
	"helm.sh/helm/v4/pkg/chart/loader"
)

// Bounds on a chart archive beyond Helm's own. Helm's loader refuses
// absolute paths, paths out of the chart with "..", more than 100 MiB of
// file data and files over 5 MiB; it does not bound the number of entries
// or the tar headers, so a small archive of millions of empty entries
// would still take memory by the gigabyte. The largest charts in use hold
// a few thousand files.
const (
	maxEntries      = 20000
	maxDecompressed = 128 << 20
)

// validate checks an archive as a chart of ref: a bounded, well-formed
// tar.gz of regular files that Helm loads, whose Chart.yaml names the
// chart and version asked for.
func validate(data []byte, ref Ref) (chart.Charter, error) {
	if err := scan(data); err != nil {
		return nil, fmt.Errorf("not a valid chart archive: %w", err)
	}
	ch, err := loader.LoadArchive(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("not a valid chart archive: %w", err)
	}
	acc, err := chart.NewDefaultAccessor(ch)
	if err != nil {
		return nil, fmt.Errorf("not a valid chart archive: %w", err)
	}
	// Keyed by the Go field names of the chart's metadata, as templates
	// see it (.Chart.Version).
	version, _ := acc.MetadataAsMap()["Version"].(string)
	if acc.Name() != ref.Chart || version != ref.Version {
		return nil, fmt.Errorf("the archive holds chart %s %s, not %s %s", acc.Name(), version, ref.Chart, ref.Version)
	}
	return ch, nil
}

// scan reads the archive once within the bounds, refusing what a chart
// never holds: links, devices and pipes. Helm keeps the archive in memory
// and never extracts it, so a link could not escape; but `helm package`
// never writes one, so an archive that holds one was not made by Helm.
func scan(data []byte) error {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return err
	}
	defer zr.Close()
	cr := &countingReader{r: zr, max: maxDecompressed}
	tr := tar.NewReader(cr)
	for n := 0; ; n++ {
		hd, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if n >= maxEntries {
			return fmt.Errorf("more than %d entries", maxEntries)
		}
		switch hd.Typeflag {
		case tar.TypeReg, tar.TypeDir, tar.TypeXHeader, tar.TypeXGlobalHeader:
		case tar.TypeSymlink, tar.TypeLink:
			return fmt.Errorf("%s is a link to %s; a chart archive holds regular files only", hd.Name, hd.Linkname)
		default:
			return fmt.Errorf("%s is not a regular file (tar type %q); a chart archive holds regular files only", hd.Name, hd.Typeflag)
		}
		// cr bounds what the whole archive decompresses to (gosec G110).
		if _, err := io.Copy(io.Discard, tr); err != nil { //nolint:gosec
			return err
		}
	}
}

// countingReader fails once more than max bytes went through it.
type countingReader struct {
	r   io.Reader
	n   int64
	max int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if c.n > c.max {
		return n, fmt.Errorf("more than %d bytes once decompressed", c.max)
	}
	return n, err
}
