package geminitest

import (
	"slices"
	"strings"
)

// messages describes, per proto message, the fields Google's JSON parser
// accepts, in their lowerCamelCase names (snake_case is accepted too).
// Types: string, bool, int32, int64, float, double, bytes (base64),
// duration, struct (any JSON object), value (any JSON), enum:<Enum>,
// map:<Message>, or a message name; a "[]" prefix makes a field repeated.
var messages = map[string]map[string]string{
	"GenerateContentRequest": {
		"model": "string", "contents": "[]Content", "systemInstruction": "Content", "tools": "[]Tool",
		"toolConfig": "ToolConfig", "safetySettings": "[]SafetySetting", "generationConfig": "GenerationConfig",
		"cachedContent": "string", "serviceTier": "string",
	},
	"Content": {"role": "string", "parts": "[]Part"},
	"Part": {
		"text": "string", "inlineData": "Blob", "fileData": "FileData", "functionCall": "FunctionCall",
		"functionResponse": "FunctionResponse", "executableCode": "ExecutableCode",
		"codeExecutionResult": "CodeExecutionResult", "toolCall": "struct", "toolResponse": "struct",
		"thought": "bool", "thoughtSignature": "bytes", "videoMetadata": "VideoMetadata",
		"mediaResolution": "struct", "partMetadata": "struct",
	},
	"Blob":                {"mimeType": "string", "data": "bytes"},
	"FileData":            {"mimeType": "string", "fileUri": "string"},
	"FunctionCall":        {"id": "string", "name": "string", "args": "struct"},
	"FunctionResponse":    {"id": "string", "name": "string", "response": "struct", "parts": "[]struct", "willContinue": "bool", "scheduling": "string"},
	"ExecutableCode":      {"language": "enum:Language", "code": "string"},
	"CodeExecutionResult": {"outcome": "enum:Outcome", "output": "string"},
	"VideoMetadata":       {"startOffset": "duration", "endOffset": "duration", "fps": "double"},
	"Tool": {
		"functionDeclarations": "[]FunctionDeclaration", "googleSearch": "struct", "googleSearchRetrieval": "struct",
		"codeExecution": "struct", "urlContext": "struct", "googleMaps": "struct", "fileSearch": "struct", "computerUse": "struct",
	},
	"FunctionDeclaration": {
		"name": "string", "description": "string", "parameters": "Schema", "parametersJsonSchema": "value",
		"response": "Schema", "responseJsonSchema": "value", "behavior": "enum:Behavior",
	},
	"ToolConfig":            {"functionCallingConfig": "FunctionCallingConfig", "retrievalConfig": "struct", "includeServerSideToolInvocations": "bool"},
	"FunctionCallingConfig": {"mode": "enum:Mode", "allowedFunctionNames": "[]string"},
	"SafetySetting":         {"category": "enum:HarmCategory", "threshold": "enum:HarmBlockThreshold"},
	"GenerationConfig": {
		"stopSequences": "[]string", "responseMimeType": "string", "responseSchema": "Schema",
		"responseJsonSchema": "value", "responseModalities": "[]enum:Modality", "candidateCount": "int32",
		"maxOutputTokens": "int32", "temperature": "float", "topP": "float", "topK": "int32", "seed": "int32",
		"presencePenalty": "float", "frequencyPenalty": "float", "responseLogprobs": "bool", "logprobs": "int32",
		"enableEnhancedCivicAnswers": "bool", "speechConfig": "struct", "thinkingConfig": "ThinkingConfig",
		"imageConfig": "struct", "mediaResolution": "enum:MediaResolution",
	},
	"ThinkingConfig": {"includeThoughts": "bool", "thinkingBudget": "int32", "thinkingLevel": "enum:ThinkingLevel"},
	// Schema is the OpenAPI subset of parameters and responseSchema: anything
	// else (additionalProperties, $ref, oneOf, const, …) is an unknown name.
	"Schema": {
		"type": "enum:Type", "format": "string", "title": "string", "description": "string", "nullable": "bool",
		"enum": "[]string", "items": "Schema", "minItems": "int64", "maxItems": "int64", "properties": "map:Schema",
		"required": "[]string", "minProperties": "int64", "maxProperties": "int64", "minLength": "int64",
		"maxLength": "int64", "pattern": "string", "example": "value", "anyOf": "[]Schema",
		"propertyOrdering": "[]string", "default": "value", "minimum": "double", "maximum": "double",
	},
	"CountTokensRequest": {"contents": "[]Content", "generateContentRequest": "GenerateContentRequest"},
	"EmbedContentRequest": {
		"model": "string", "content": "Content", "taskType": "enum:TaskType", "title": "string",
		"outputDimensionality": "int32",
	},
	"BatchEmbedContentsRequest": {"requests": "[]EmbedContentRequest"},
}

// enums lists each enum's value names; Google also accepts them in lower
// case and as numbers.
var enums = map[string][]string{
	"Type": {"TYPE_UNSPECIFIED", "STRING", "NUMBER", "INTEGER", "BOOLEAN", "ARRAY", "OBJECT", "NULL"},
	"HarmCategory": {"HARM_CATEGORY_UNSPECIFIED", "HARM_CATEGORY_DEROGATORY", "HARM_CATEGORY_TOXICITY",
		"HARM_CATEGORY_VIOLENCE", "HARM_CATEGORY_SEXUAL", "HARM_CATEGORY_MEDICAL", "HARM_CATEGORY_DANGEROUS",
		"HARM_CATEGORY_HARASSMENT", "HARM_CATEGORY_HATE_SPEECH", "HARM_CATEGORY_SEXUALLY_EXPLICIT",
		"HARM_CATEGORY_DANGEROUS_CONTENT", "HARM_CATEGORY_CIVIC_INTEGRITY"},
	"HarmBlockThreshold": {"HARM_BLOCK_THRESHOLD_UNSPECIFIED", "BLOCK_LOW_AND_ABOVE", "BLOCK_MEDIUM_AND_ABOVE",
		"BLOCK_ONLY_HIGH", "BLOCK_NONE", "OFF"},
	"Mode":            {"MODE_UNSPECIFIED", "AUTO", "ANY", "NONE", "VALIDATED"},
	"ThinkingLevel":   {"THINKING_LEVEL_UNSPECIFIED", "MINIMAL", "LOW", "MEDIUM", "HIGH"},
	"Modality":        {"MODALITY_UNSPECIFIED", "TEXT", "IMAGE", "AUDIO"},
	"MediaResolution": {"MEDIA_RESOLUTION_UNSPECIFIED", "MEDIA_RESOLUTION_LOW", "MEDIA_RESOLUTION_MEDIUM", "MEDIA_RESOLUTION_HIGH"},
	"Language":        {"LANGUAGE_UNSPECIFIED", "PYTHON"},
	"Outcome":         {"OUTCOME_UNSPECIFIED", "OUTCOME_OK", "OUTCOME_FAILED", "OUTCOME_DEADLINE_EXCEEDED"},
	"Behavior":        {"UNSPECIFIED", "BLOCKING", "NON_BLOCKING"},
	"TaskType": {"TASK_TYPE_UNSPECIFIED", "RETRIEVAL_QUERY", "RETRIEVAL_DOCUMENT", "SEMANTIC_SIMILARITY",
		"CLASSIFICATION", "CLUSTERING", "QUESTION_ANSWERING", "FACT_VERIFICATION", "CODE_RETRIEVAL_QUERY"},
}

// snake turns a lowerCamelCase name into the snake_case one Google also
// accepts and uses in error paths.
func snake(name string) string {
	b := make([]byte, 0, len(name)+4)
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c >= 'A' && c <= 'Z' {
			b = append(b, '_', c+'a'-'A')
			continue
		}
		b = append(b, c)
	}
	return string(b)
}

// camel turns a snake_case name into lowerCamelCase.
func camel(s string) string {
	var b strings.Builder
	up := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '_':
			up = true
		case up && c >= 'a' && c <= 'z':
			b.WriteByte(c - 'a' + 'A')
			up = false
		default:
			b.WriteByte(c)
			up = false
		}
	}
	return b.String()
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
