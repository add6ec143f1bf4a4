package jobs_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/acsemu/acsemu/client/jobs"
)

func Example() {
	dir, _ := os.MkdirTemp("", "jobs-example")
	defer os.RemoveAll(dir)
	store, err := jobs.Open(filepath.Join(dir, "jobs.db"), jobs.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer store.Close()

	// The webhook adds one job per chunk; a redelivered event adds nothing.
	chunk := jobs.Job{DocumentID: "0-eus-d1-abc", ContentLocation: "https://us-storage.asm.skype.com/v1/objects/0-eus-d1-abc/content/audio"}
	added, _ := store.Add(chunk)
	again, _ := store.Add(chunk)
	fmt.Println("added:", len(added), "then:", len(again))

	// A worker claims it, downloads, and completes it.
	j, ok, _, _ := store.Next()
	fmt.Println(ok, j)
	store.Complete(j.DocumentID, []string{"0-eus-d1-abc.wav"}, 1234)
	j, _ = store.Get("0-eus-d1-abc")
	fmt.Println(j, j.Files)
	// Output:
	// added: 1 then: 0
	// true job 0-eus-d1-abc [running, 1 attempts]
	// job 0-eus-d1-abc [done, 1 attempts] [0-eus-d1-abc.wav]
}
