package faults_test

import (
	"bytes"
	"testing"
)

func TestWrongContentRange(t *testing.T) {
	for _, tc := range []struct{ params, want string }{
		{``, "bytes 101-200/5000"},
		{`,"shift":-100`, "bytes 0-99/5000"},
		{`,"size":4999`, "bytes 100-199/4999"},
		{`,"value":"bytes */5000"`, "bytes */5000"},
	} {
		s := newServer(t, 5000, `[{"action":{"type":"wrong-content-range"`+tc.params+`}}]`)
		resp := s.get(t, s.client(t), "Range", "bytes=100-199")
		got := readAll(t, resp)
		if resp.StatusCode != 206 || resp.Header.Get("Content-Range") != tc.want || !bytes.Equal(got, s.body[100:200]) {
			t.Errorf("%s: got %d Content-Range %q, want the right bytes under %q", tc.params, resp.StatusCode, resp.Header.Get("Content-Range"), tc.want)
		}
		mustContain(t, s.note(t), `instead of "bytes 100-199/5000"`)
	}
}
