// Package valuescheck checks the Helm values dorgu-gen writes against the
// chart that reads them: the chart's values.schema.json (its subcharts'
// included) as Helm 4 validates values before rendering, and the keys of
// the chart's values.yaml, which Helm itself never checks, so that a typo
// does not silently do nothing.
package valuescheck

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"helm.sh/helm/v4/pkg/chart/common"
	commonutil "helm.sh/helm/v4/pkg/chart/common/util"
	chart "helm.sh/helm/v4/pkg/chart/v2"
	chartutil "helm.sh/helm/v4/pkg/chart/v2/util"
)

// Violation is one place where the values break a chart's schema.
type Violation struct {
	// Path is the offending value's path in the values, subchart prefix
	// included (["cache", "replicas"]); empty for the whole document.
	Path []string
	// Chart names the chart whose schema is broken (a subchart's name for
	// its own schema).
	Chart   string
	Message string
}

// Schema validates values against the schemas of ch and its enabled
// subcharts, as Helm 4's ValidateAgainstSchema does before rendering:
// the values are first merged over the charts' defaults, then each
// chart's schema checks its own part. Helm's function may fetch a $ref
// over HTTP or from a file; this one refuses both (a chart comes from a
// repository that a pull request does not control, but dorgu-gen never
// reads the network or outside the repository while checking), and
// reports every violation with its path instead of one message.
//
// ch is changed as rendering changes it (disabled subcharts dropped):
// pass a fresh copy.
func Schema(ch *chart.Chart, vals map[string]any) ([]Violation, error) {
	if err := chartutil.ProcessDependencies(ch, vals); err != nil {
		return nil, fmt.Errorf("chart dependencies processing failed: %w", err)
	}
	coalesced, err := commonutil.CoalesceValues(ch, vals)
	if err != nil {
		return nil, err
	}
	var out []Violation
	err = validateChart(ch, coalesced, nil, &out)
	return out, err
}

func validateChart(ch *chart.Chart, vals map[string]any, prefix []string, out *[]Violation) error {
	if ch.Schema != nil {
		vs, err := validateOne(ch.Schema, vals)
		if err != nil {
			return fmt.Errorf("chart %s: values.schema.json: %w", ch.Name(), err)
		}
		for _, v := range vs {
			v.Path = append(append([]string(nil), prefix...), v.Path...)
			v.Chart = ch.Name()
			*out = append(*out, v)
		}
	}
	for _, sub := range ch.Dependencies() {
		raw, ok := vals[sub.Name()]
		if !ok || raw == nil {
			continue
		}
		path := append(append([]string(nil), prefix...), sub.Name())
		m, ok := raw.(map[string]any)
		if !ok {
			*out = append(*out, Violation{Path: path, Chart: sub.Name(), Message: fmt.Sprintf("invalid type for values: expected object (map), got %T", raw)})
			continue
		}
		if err := validateChart(sub, m, path, out); err != nil {
			return err
		}
	}
	return nil
}

var printer = message.NewPrinter(language.English)

// validateOne compiles one schema as Helm does (the same library, the
// same resource name, numbers kept exact) and validates values with it.
func validateOne(schemaJSON []byte, vals common.Values) (out []Violation, err error) {
	defer func() {
		// Helm guards its validation the same way: a schema can panic the
		// library.
		if r := recover(); r != nil {
			err = fmt.Errorf("unable to validate schema: %v", r)
		}
	}()
	schema, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemaJSON))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.UseLoader(jsonschema.SchemeURLLoader{"urn": permissive{}})
	if err := c.AddResource("file:///values.schema.json", schema); err != nil {
		return nil, err
	}
	v, err := c.Compile("file:///values.schema.json")
	if err != nil {
		return nil, refused(err)
	}
	err = v.Validate(vals.AsMap())
	var ve *jsonschema.ValidationError
	if errors.As(err, &ve) {
		leaves(ve, &out)
		return out, nil
	}
	return nil, err
}

// refused explains a schema that needs a document from elsewhere.
func refused(err error) error {
	var le *jsonschema.LoadURLError
	if errors.As(err, &le) {
		return fmt.Errorf("the schema refers to %s, which dorgu-gen does not fetch: %w", le.URL, err)
	}
	return err
}

// permissive resolves urn: references to a schema that allows anything,
// as Helm does when none is registered.
type permissive struct{}

func (permissive) Load(string) (any, error) { return true, nil }

// leaves collects the most specific errors. Where one of several
// alternatives had to hold (anyOf, oneOf), the alternatives' own errors
// would mislead, so the choice is reported as a whole.
func leaves(e *jsonschema.ValidationError, out *[]Violation) {
	switch k := e.ErrorKind.(type) {
	case *kind.AdditionalProperties:
		// At each key that is not allowed, rather than at its parent.
		for _, p := range k.Properties {
			path := append(append([]string(nil), e.InstanceLocation...), p)
			*out = append(*out, Violation{Path: path, Message: e.ErrorKind.LocalizedString(printer)})
		}
		return
	case *kind.AnyOf, *kind.OneOf:
		*out = append(*out, Violation{Path: e.InstanceLocation, Message: e.ErrorKind.LocalizedString(printer)})
		return
	}
	if len(e.Causes) == 0 {
		*out = append(*out, Violation{Path: e.InstanceLocation, Message: e.ErrorKind.LocalizedString(printer)})
		return
	}
	for _, c := range e.Causes {
		leaves(c, out)
	}
}

// PathString prints a values path as a dotted key.
func PathString(path []string) string {
	if len(path) == 0 {
		return "(the values)"
	}
	return strings.Join(path, ".")
}
