package memory

import (
	"encoding/json"

	"github.com/hagemi/hagemi/domain/gemini"
)

func user(text string) gemini.Content {
	return gemini.Content{Role: "user", Parts: []gemini.Part{{Text: text}}}
}

func model(text string) gemini.Content {
	return gemini.Content{Role: "model", Parts: []gemini.Part{{Text: text}}}
}

// signed is a model turn as Gemini sent it and the store kept it.
func signed(text, sig string) gemini.Content {
	return gemini.Content{Role: "model", Parts: []gemini.Part{{Text: text, ThoughtSignature: sig}}}
}

func call(name, args, sig string) gemini.Content {
	return gemini.Content{Role: "model", Parts: []gemini.Part{{
		FunctionCall:     &gemini.FunctionCall{Name: name, Args: json.RawMessage(args)},
		ThoughtSignature: sig,
	}}}
}

func result(name, response string) gemini.Content {
	return gemini.Content{Role: "user", Parts: []gemini.Part{{
		FunctionResponse: &gemini.FunctionResponse{Name: name, Response: json.RawMessage(response)},
	}}}
}

func image(data string) gemini.Content {
	return gemini.Content{Role: "user", Parts: []gemini.Part{
		{Text: "what is this?"},
		{InlineData: &gemini.Blob{MimeType: "image/png", Data: data}},
	}}
}
