package leakscan_test

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/matterfile/matterfile/leakscan"
)

// BenchmarkScan measures the search over a store of ciphertext-like random
// bytes, with as many needles as the end-to-end tests use (a few hundred):
// each needle is one bytes.Index pass over every window, so time grows with
// needles × bytes.
func BenchmarkScan(b *testing.B) {
	const files, fileSize = 16, 4 << 20
	dir := b.TempDir()
	rng := rand.NewChaCha8([32]byte{6})
	for i := range files {
		f, err := os.Create(filepath.Join(dir, fmt.Sprintf("obj-%02d", i)))
		require.NoError(b, err)
		_, err = io.CopyN(f, rng, fileSize)
		require.NoError(b, err)
		require.NoError(b, f.Close())
	}
	r := rand.New(rand.NewPCG(6, 47))
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,@-:"
	var all [][]byte
	for range 300 {
		n := make([]byte, 12+r.IntN(33))
		for i := range n {
			n[i] = alphabet[r.IntN(len(alphabet))]
		}
		all = append(all, n)
	}
	for _, bc := range []struct {
		needles int
		lower   bool
	}{{1, false}, {30, false}, {300, false}, {300, true}} {
		b.Run(fmt.Sprintf("needles=%d/lower=%v", bc.needles, bc.lower), func(b *testing.B) {
			b.SetBytes(files * fileSize)
			for b.Loop() {
				rep, err := leakscan.Scan(context.Background(), dir, all[:bc.needles], leakscan.Options{LowerCase: bc.lower})
				if err != nil || rep.HitCount != 0 {
					b.Fatal(err, rep.HitCount)
				}
			}
		})
	}
}
