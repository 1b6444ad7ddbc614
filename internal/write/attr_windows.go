//go:build windows

package write

import "io/fs"

// attrBlock says why rel, a file or directory that info describes, cannot
// have its name replaced or removed: "" when nothing stands in the way. A
// read-only file can be neither replaced by a rename nor deleted; Windows
// ignores the attribute on directories.
func attrBlock(_ *outDir, _ string, info fs.FileInfo) (string, error) {
	if info.Mode().IsRegular() && info.Mode().Perm()&0o200 == 0 {
		return "read-only (attrib +r)", nil
	}
	return "", nil
}
