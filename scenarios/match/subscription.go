package match

import (
	"fmt"

	"github.com/onsi/gomega/types"

	"github.com/acsemu/acsemu/emulator/eventgrid"
)

type validated struct{}

// BeValidated succeeds when the actual eventgrid.Subscription (or a pointer to
// one) passed its validation handshake: its provisioning state is Succeeded,
// so it receives events. The failure message quotes why it is not (what the
// webhook answered), which is what a developer needs to fix the webhook.
//
//	sub, err := srv.Control().CreateSubscription(ctx, eventgrid.SubscriptionSpec{Name: "recordings", EndpointURL: url})
//	Expect(err).NotTo(HaveOccurred())
//	Expect(sub).To(match.BeValidated())
func BeValidated() types.GomegaMatcher { return validated{} }

func subscriptionOf(actual any) (eventgrid.Subscription, error) {
	switch s := actual.(type) {
	case eventgrid.Subscription:
		return s, nil
	case *eventgrid.Subscription:
		if s != nil {
			return *s, nil
		}
	}
	return eventgrid.Subscription{}, fmt.Errorf("match: BeValidated expects an eventgrid.Subscription, got %T", actual)
}

func (validated) Match(actual any) (bool, error) {
	s, err := subscriptionOf(actual)
	if err != nil {
		return false, err
	}
	return s.ProvisioningState == eventgrid.StateSucceeded, nil
}

func (validated) FailureMessage(actual any) string {
	s, _ := subscriptionOf(actual)
	why := s.FailureReason
	if why == "" {
		why = s.ProvisioningDetail
	}
	if why == "" {
		why = "no reason given"
	}
	return fmt.Sprintf("expected subscription %q to be validated (provisioning state %s), but it is %s: %s",
		s.Name, eventgrid.StateSucceeded, s.ProvisioningState, why)
}

func (validated) NegatedFailureMessage(actual any) string {
	s, _ := subscriptionOf(actual)
	return fmt.Sprintf("expected subscription %q not to be validated, but its handshake succeeded", s.Name)
}
