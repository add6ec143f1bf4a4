package broadcast

import "testing"

func TestNotifyWakesEveryWaiterOnce(t *testing.T) {
	var s Signal
	a, b := s.Changed(), s.Changed()
	select {
	case <-a:
		t.Fatal("closed before any Notify")
	default:
	}
	s.Notify()
	<-a
	<-b
	c := s.Changed()
	select {
	case <-c:
		t.Fatal("a channel taken after Notify is closed already")
	default:
	}
	s.Notify()
	<-c
}
