package faults

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
)

// maxRulesFile bounds a rules file and a control-plane body.
const maxRulesFile = 1 << 20

// ParseRules reads a JSON list of rules, or a single rule, strictly and
// validates each. A refused rule gives a *FieldError naming it ("[2].action.afterBytes").
func ParseRules(data []byte) ([]Rule, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) > 0 && trimmed[0] == '{' {
		var r Rule
		if err := strictDecode(trimmed, &r); err != nil {
			return nil, err
		}
		if err := r.Validate(); err != nil {
			return nil, err
		}
		return []Rule{r}, nil
	}
	var raws []json.RawMessage
	if err := strictDecode(trimmed, &raws); err != nil {
		return nil, &FieldError{Message: "want a rule object or a JSON list of rules: " + err.Error()}
	}
	rs := make([]Rule, len(raws))
	for i, raw := range raws {
		err := strictDecode(raw, &rs[i])
		if err == nil {
			err = rs[i].Validate()
		}
		if err != nil {
			return nil, under(fmt.Sprintf("[%d]", i), err)
		}
	}
	return rs, nil
}

// LoadRules reads a rules file (see ParseRules).
func LoadRules(path string) ([]Rule, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("faults: %w", err)
	}
	defer f.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(io.LimitReader(f, maxRulesFile+1)); err != nil {
		return nil, fmt.Errorf("faults: read %s: %w", path, err)
	}
	if buf.Len() > maxRulesFile {
		return nil, fmt.Errorf("faults: %s is larger than %d bytes", path, maxRulesFile)
	}
	rs, err := ParseRules(buf.Bytes())
	if err != nil {
		return nil, fmt.Errorf("faults: %s: %w", path, err)
	}
	return rs, nil
}
