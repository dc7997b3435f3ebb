package gemini

import (
	"bytes"
	"slices"
	"strconv"

	"github.com/hagemi/hagemi/domain"
	"github.com/hagemi/hagemi/domain/openai"
)

// convertTools maps tools (or legacy functions) and tool_choice (or legacy
// function_call). Function tools all go in one Tool element. Google Search
// is added for web_search_options only without functions, because 2.x
// models reject the mix.
func convertTools(req *openai.ChatRequest, gen int) ([]Tool, *ToolConfig, error) {
	decls, err := declarations(req, gen)
	if err != nil {
		return nil, nil, err
	}
	if len(decls) == 0 {
		if w := bytes.TrimSpace(req.WebSearchOptions); len(w) > 0 && string(w) != "null" {
			return []Tool{{GoogleSearch: &struct{}{}}}, nil, nil
		}
		return nil, nil, nil // tool_choice means nothing without tools
	}
	choice, path := req.ToolChoice, "tool_choice"
	if choice == nil {
		choice, path = req.FunctionCall, "function_call"
	}
	var cfg *ToolConfig
	if choice != nil {
		if cfg, decls, err = toolConfig(choice, path, decls); err != nil {
			return nil, nil, err
		}
	}
	return []Tool{{FunctionDeclarations: decls}}, cfg, nil
}

func declarations(req *openai.ChatRequest, gen int) ([]FunctionDeclaration, error) {
	var decls []FunctionDeclaration
	for i, t := range req.Tools {
		path := "tools[" + strconv.Itoa(i) + "]"
		// An absent type is read as "function": some hand-written clients omit it.
		if t.Type != "function" && t.Type != "" {
			return nil, domain.Invalid(path+".type", "unsupported tool type "+strconv.Quote(t.Type)+"; Gemini only takes function tools")
		}
		d, err := declaration(t.Function, path+".function", gen)
		if err != nil {
			return nil, err
		}
		decls = append(decls, d)
	}
	for i, f := range req.Functions {
		d, err := declaration(f, "functions["+strconv.Itoa(i)+"]", gen)
		if err != nil {
			return nil, err
		}
		decls = append(decls, d)
	}
	for i := range decls {
		for j := range i {
			if decls[j].Name == decls[i].Name {
				return nil, domain.Invalid("tools", "function "+strconv.Quote(decls[i].Name)+" is declared twice")
			}
		}
	}
	return decls, nil
}

// declaration converts one function. Generation 2.5 and later take the
// client's JSON Schema as parametersJsonSchema; older models get the
// OpenAPI subset of parameters, cleaned.
func declaration(f openai.FunctionDef, path string, gen int) (FunctionDeclaration, error) {
	if !validFunctionName(f.Name) && !validFunctionName(renamePrefix+f.Name) {
		return FunctionDeclaration{}, domain.Invalid(path+".name", "function name may contain only letters, digits, '_', '.', ':' or '-', at most 127 characters")
	}
	d := FunctionDeclaration{Name: f.Name, Description: f.Description}
	params := bytes.TrimSpace(f.Parameters)
	if len(params) == 0 || string(params) == "null" {
		return d, nil
	}
	var err error
	if gen >= 25 {
		d.ParametersJSONSchema, err = jsonSchema(params)
	} else {
		d.Parameters, err = cleanSchema(params)
	}
	if err != nil {
		return FunctionDeclaration{}, domain.Invalid(path+".parameters", err.Error())
	}
	return d, nil
}

// validFunctionName is Gemini's rule. OpenAI names that start with a digit
// or '-' fail it; toolnames.go renames those.
func validFunctionName(s string) bool {
	if s == "" || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'
		if !letter && (i == 0 || !(c >= '0' && c <= '9' || c == '.' || c == ':' || c == '-')) {
			return false
		}
	}
	return true
}

// toolConfig maps tool_choice. allowed_tools in auto mode cannot be
// expressed with allowedFunctionNames (valid with ANY only), so only the
// listed functions are declared instead.
func toolConfig(c *openai.ToolChoice, path string, decls []FunctionDeclaration) (*ToolConfig, []FunctionDeclaration, error) {
	mode := ""
	var names []string
	switch c.Mode {
	case "auto", "":
		mode = "AUTO"
	case "none":
		mode = "NONE"
	case "required", "any":
		mode = "ANY"
	case "function":
		if len(c.Names) == 0 || c.Names[0] == "" {
			return nil, nil, domain.Invalid(path, "tool_choice must name a function")
		}
		mode, names = "ANY", c.Names
	case "allowed_tools":
		if len(c.Names) == 0 {
			return nil, nil, domain.Invalid(path+".allowed_tools.tools", "allowed_tools must list at least one function")
		}
		switch c.AllowedMode {
		case "required":
			mode, names = "ANY", c.Names
		case "auto", "":
			mode = "AUTO"
			decls = slices.DeleteFunc(slices.Clone(decls), func(d FunctionDeclaration) bool {
				return !slices.Contains(c.Names, d.Name)
			})
		default:
			return nil, nil, domain.Invalid(path+".allowed_tools.mode", "allowed_tools.mode must be auto or required")
		}
	default:
		return nil, nil, domain.Invalid(path, "unknown "+path+" "+strconv.Quote(c.Mode)+"; use auto, none, required or a function")
	}
	for _, n := range c.Names {
		if !slices.ContainsFunc(decls, func(d FunctionDeclaration) bool { return d.Name == n }) {
			return nil, nil, domain.Invalid(path, path+" names function "+strconv.Quote(n)+", which is not in tools")
		}
	}
	return &ToolConfig{FunctionCallingConfig: &FunctionCallingConfig{Mode: mode, AllowedFunctionNames: names}}, decls, nil
}
