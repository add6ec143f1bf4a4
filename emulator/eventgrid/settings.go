package eventgrid

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/acsemu/acsemu/emulator/api"
	"github.com/acsemu/acsemu/emulator/eventgrid/filter"
	"github.com/acsemu/acsemu/emulator/wire"
)

// The engine's wire types live in package api.
type (
	Schema            = api.EventSchema
	RetryPolicy       = api.RetryPolicy
	DeliveryAttribute = api.DeliveryAttribute
	SubscriptionSpec  = api.SubscriptionSpec
	Subscription      = api.Subscription
	Event             = api.Event
	Attempt           = api.Attempt
	AttemptFilter     = api.AttemptFilter
	DeadLetter        = api.DeadLetter
	PublishResult     = api.PublishResult
	DrainResult       = api.DrainResult
)

// Delivery schemas.
const (
	EventGridSchema  = api.EventGridSchema
	CloudEventSchema = api.CloudEventSchema
)

// Limits and defaults of subscription settings (Azure's).
const (
	MaxNameLength                  = 64
	DefaultMaxDeliveryAttempts     = 30
	MaxMaxDeliveryAttempts         = 30
	DefaultEventTimeToLiveMinutes  = 1440
	MaxEventTimeToLiveMinutes      = 1440
	DefaultMaxEventsPerBatch       = 1
	MaxMaxEventsPerBatch           = 5000
	DefaultPreferredBatchSizeKB    = 64
	MaxPreferredBatchSizeKB        = 1024
	MaxDeliveryAttributes          = 10
	MaxDeliveryAttributeValueBytes = 4096
)

// Delivery attribute types.
const (
	AttributeStatic  = "Static"
	AttributeDynamic = "Dynamic"
)

// invalid is a 400 naming the offending field.
func invalid(field, format string, args ...any) *wire.Error {
	return &wire.Error{Status: http.StatusBadRequest, Code: "InvalidSubscriptionSetting", Target: field,
		Message: field + ": " + fmt.Sprintf(format, args...)}
}

// normalize checks spec and fills in the defaults. prev, if any, is the
// current settings: a secret attribute sent back without a value (as
// Subscription shows it) keeps its old value.
func normalize(spec SubscriptionSpec, prev *SubscriptionSpec) (SubscriptionSpec, error) {
	if err := checkName(spec.Name); err != nil {
		return spec, err
	}
	keepMaskedEndpoint(&spec, prev)
	u, err := url.Parse(spec.EndpointURL)
	switch {
	case spec.EndpointURL == "":
		return spec, invalid("endpointUrl", "required: the webhook's http or https URL")
	case err != nil:
		return spec, invalid("endpointUrl", "not a URL: %v", err)
	case u.Scheme != "http" && u.Scheme != "https":
		return spec, invalid("endpointUrl", "scheme must be http or https (got %q)", u.Scheme)
	case u.Host == "":
		return spec, invalid("endpointUrl", "must be an absolute URL with a host (got %q)", spec.EndpointURL)
	case u.User != nil:
		return spec, invalid("endpointUrl", "user information in the URL is not allowed")
	}
	if spec.AzureActiveDirectoryTenantID != "" && spec.AzureActiveDirectoryApplicationIDOrURI == "" {
		return spec, invalid("azureActiveDirectoryApplicationIdOrUri", "required with azureActiveDirectoryTenantId: the audience of the delivery tokens")
	}
	switch spec.EventDeliverySchema {
	case "":
		spec.EventDeliverySchema = EventGridSchema
	case EventGridSchema, CloudEventSchema:
	default:
		return spec, invalid("eventDeliverySchema", "must be %s or %s (got %q)", EventGridSchema, CloudEventSchema, spec.EventDeliverySchema)
	}
	if err := filter.Spec(spec.Filter).Validate(spec.EventDeliverySchema); err != nil {
		var ve *filter.ValidationError
		if errors.As(err, &ve) {
			return spec, invalid("filter."+ve.Field, "%s", ve.Message)
		}
		return spec, invalid("filter", "%v", err)
	}
	rp := &spec.RetryPolicy
	if err := intSetting(&rp.MaxDeliveryAttempts, "retryPolicy.maxDeliveryAttempts", 1, MaxMaxDeliveryAttempts, DefaultMaxDeliveryAttempts); err != nil {
		return spec, err
	}
	if err := intSetting(&rp.EventTimeToLiveInMinutes, "retryPolicy.eventTimeToLiveInMinutes", 1, MaxEventTimeToLiveMinutes, DefaultEventTimeToLiveMinutes); err != nil {
		return spec, err
	}
	if err := intSetting(&spec.MaxEventsPerBatch, "maxEventsPerBatch", 1, MaxMaxEventsPerBatch, DefaultMaxEventsPerBatch); err != nil {
		return spec, err
	}
	if err := intSetting(&spec.PreferredBatchSizeInKilobytes, "preferredBatchSizeInKilobytes", 1, MaxPreferredBatchSizeKB, DefaultPreferredBatchSizeKB); err != nil {
		return spec, err
	}
	if spec.TimeScale != 0 {
		if err := checkScale(spec.TimeScale); err != nil {
			return spec, invalid("timeScale", "%v (0 inherits the engine's)", err)
		}
	}
	attrs, err := normalizeAttributes(spec.DeliveryAttributeMappings, prev)
	if err != nil {
		return spec, err
	}
	spec.DeliveryAttributeMappings = attrs
	// Never share slices with the caller: the stored spec is read without
	// copying by the worker.
	spec.Filter = cloneFilter(spec.Filter)
	return spec, nil
}

func checkName(name string) error {
	if name == "" || len(name) > MaxNameLength {
		return invalid("name", "must be 1-%d characters of A-Z, a-z, 0-9 and '-' (got %d characters)", MaxNameLength, len(name))
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
			return invalid("name", "must be 1-%d characters of A-Z, a-z, 0-9 and '-' (got %q)", MaxNameLength, name)
		}
	}
	return nil
}

func intSetting(v *int, field string, lo, hi, def int) error {
	if *v == 0 {
		*v = def
		return nil
	}
	if *v < lo || *v > hi {
		return invalid(field, "must be between %d and %d (got %d; 0 or absent means %d)", lo, hi, *v, def)
	}
	return nil
}

// reservedHeaders may not be set by delivery attributes.
var reservedHeaders = map[string]bool{
	"Host": true, "Content-Length": true, "Transfer-Encoding": true, "Connection": true,
	"Keep-Alive": true, "Upgrade": true, "Te": true, "Trailer": true, "Proxy-Connection": true,
}

func normalizeAttributes(in []DeliveryAttribute, prev *SubscriptionSpec) ([]DeliveryAttribute, error) {
	if len(in) > MaxDeliveryAttributes {
		return nil, invalid("deliveryAttributeMappings", "at most %d delivery attributes are allowed (got %d)", MaxDeliveryAttributes, len(in))
	}
	if len(in) == 0 {
		return nil, nil
	}
	out := make([]DeliveryAttribute, len(in))
	seen := map[string]bool{}
	for i, a := range in {
		field := fmt.Sprintf("deliveryAttributeMappings[%d]", i)
		if !isToken(a.Name) || len(a.Name) > 256 {
			return nil, invalid(field+".name", "must be an HTTP header name (letters, digits and !#$%%&'*+-.^_`|~), 1-256 characters (got %q)", a.Name)
		}
		canon := http.CanonicalHeaderKey(a.Name)
		if strings.HasPrefix(strings.ToLower(a.Name), "aeg-") || reservedHeaders[canon] {
			return nil, invalid(field+".name", "%q is reserved: aeg-* headers and hop-by-hop headers cannot be set", a.Name)
		}
		if seen[canon] {
			return nil, invalid(field+".name", "header %q is mapped twice", a.Name)
		}
		seen[canon] = true
		if a.Type == "" {
			a.Type = AttributeStatic
			if a.SourceField != "" {
				a.Type = AttributeDynamic
			}
		}
		switch {
		case strings.EqualFold(a.Type, AttributeStatic):
			a.Type, a.SourceField = AttributeStatic, ""
			if a.IsSecret && a.Value == "" && prev != nil {
				for _, p := range prev.DeliveryAttributeMappings {
					if p.IsSecret && strings.EqualFold(p.Name, a.Name) {
						a.Value = p.Value
					}
				}
			}
			if len(a.Value) > MaxDeliveryAttributeValueBytes {
				return nil, invalid(field+".value", "at most %d bytes (got %d)", MaxDeliveryAttributeValueBytes, len(a.Value))
			}
			if strings.ContainsAny(a.Value, "\r\n\x00") {
				return nil, invalid(field+".value", "must not contain CR, LF or NUL")
			}
		case strings.EqualFold(a.Type, AttributeDynamic):
			a.Type, a.Value, a.IsSecret = AttributeDynamic, "", false
			if a.SourceField == "" || len(a.SourceField) > 256 || strings.HasPrefix(a.SourceField, ".") ||
				strings.HasSuffix(a.SourceField, ".") || strings.Contains(a.SourceField, "..") {
				return nil, invalid(field+".sourceField", "must be a dotted JSON path into the event such as \"data.recordingId\" (got %q)", a.SourceField)
			}
		default:
			return nil, invalid(field+".type", "must be %s or %s (got %q)", AttributeStatic, AttributeDynamic, a.Type)
		}
		out[i] = a
	}
	return out, nil
}

func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0 {
			continue
		}
		return false
	}
	return true
}

func cloneFilter(f api.EventFilter) api.EventFilter {
	f.IncludedEventTypes = append([]string(nil), f.IncludedEventTypes...)
	f.AdvancedFilters = append([]filter.Advanced(nil), f.AdvancedFilters...)
	for i := range f.AdvancedFilters {
		f.AdvancedFilters[i].Values = append([]any(nil), f.AdvancedFilters[i].Values...)
	}
	return f
}

// filterIsEmpty reports whether f lets every event through without looking.
func filterIsEmpty(f api.EventFilter) bool {
	return len(f.IncludedEventTypes) == 0 && f.SubjectBeginsWith == "" && f.SubjectEndsWith == "" && len(f.AdvancedFilters) == 0
}

// redacted returns spec as shown to users: secret values hidden.
func redacted(spec SubscriptionSpec) SubscriptionSpec {
	spec.EndpointURL = maskEndpoint(spec.EndpointURL)
	if len(spec.DeliveryAttributeMappings) == 0 {
		return spec
	}
	attrs := append([]DeliveryAttribute(nil), spec.DeliveryAttributeMappings...)
	for i := range attrs {
		if attrs[i].IsSecret {
			attrs[i].Value = ""
		}
	}
	spec.DeliveryAttributeMappings = attrs
	spec.Filter = cloneFilter(spec.Filter)
	return spec
}
