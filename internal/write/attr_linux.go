package write

import (
	"fmt"
	"io/fs"
	"os"

	"golang.org/x/sys/unix"
)

// The inode flags of linux/fs.h that forbid replacing or removing a file,
// or changing a directory's entries.
const (
	fsImmutableFL = 0x00000010
	fsAppendFL    = 0x00000020
)

// attrBlock says why rel, a file or directory that info describes, cannot
// have its name replaced or removed (or, for a directory, its entries
// changed): "" when nothing stands in the way. A file system without
// attribute flags has none.
func attrBlock(d *outDir, rel string, info fs.FileInfo) (string, error) {
	f, err := d.root.OpenFile(native(rel), os.O_RDONLY|openFlags, 0)
	if err != nil {
		return "", fmt.Errorf("%s: %w", d.show(rel), unwrap(err))
	}
	defer f.Close()
	if !sameFile(f, info) {
		return "", fmt.Errorf("%s: changed while dorgu-gen checked it; run render again", d.show(rel))
	}
	flags, err := unix.IoctlGetUint32(int(f.Fd()), unix.FS_IOC_GETFLAGS)
	switch {
	case err != nil:
		return "", nil
	case flags&fsImmutableFL != 0:
		return "immutable (chattr +i)", nil
	case flags&fsAppendFL != 0:
		return "append-only (chattr +a)", nil
	}
	return "", nil
}
