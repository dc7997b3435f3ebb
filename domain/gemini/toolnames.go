package gemini

import "github.com/hagemi/hagemi/domain/openai"

// renamePrefix makes an OpenAI function name that starts with a digit or '-'
// (legal for OpenAI, refused by Gemini) valid for Gemini.
const renamePrefix = "_"

// renameTools renames, everywhere in req, the declared functions whose names
// Gemini refuses, and returns the Gemini name → client name map that the
// response converters use to give the client its own names back.
func renameTools(req *GenerateContentRequest) map[string]string {
	var back map[string]string
	rename := func(name *string) {
		if validFunctionName(*name) {
			return
		}
		if back == nil {
			back = map[string]string{}
		}
		back[renamePrefix+*name] = *name
		*name = renamePrefix + *name
	}
	for i := range req.Tools {
		for j := range req.Tools[i].FunctionDeclarations {
			rename(&req.Tools[i].FunctionDeclarations[j].Name)
		}
	}
	if back == nil {
		return nil
	}
	known := func(name *string) {
		if _, ok := back[renamePrefix+*name]; ok {
			*name = renamePrefix + *name
		}
	}
	for i := range req.Contents {
		for j := range req.Contents[i].Parts {
			p := &req.Contents[i].Parts[j]
			if p.FunctionCall != nil {
				known(&p.FunctionCall.Name)
			}
			if p.FunctionResponse != nil {
				known(&p.FunctionResponse.Name)
			}
		}
	}
	if tc := req.ToolConfig; tc != nil && tc.FunctionCallingConfig != nil {
		for i := range tc.FunctionCallingConfig.AllowedFunctionNames {
			known(&tc.FunctionCallingConfig.AllowedFunctionNames[i])
		}
	}
	return back
}

// restoreNames gives renamed functions their client names back.
func restoreNames(calls []openai.ToolCall, back map[string]string) {
	for i := range calls {
		if orig, ok := back[calls[i].Function.Name]; ok {
			calls[i].Function.Name = orig
		}
	}
}
