package cli

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/rnnfp/fixedpoints/tasks"
	"github.com/rnnfp/fixedpoints/viz"
)

// Network names a network for people: "LSTM with 16 units", "GRU with 8
// units", "tanh RNN with 32 units", from a -cell flag value
// (cells.NewTorchCell's kinds) and a hidden size.
func Network(cell string, hidden int) string {
	name := map[string]string{
		"lstm": "LSTM", "gru": "GRU", "rnn": "tanh RNN", "rnn_tanh": "tanh RNN", "rnn_relu": "ReLU RNN",
	}[strings.ToLower(cell)]
	if name == "" {
		name = cell
	}
	unit := "units"
	if hidden == 1 {
		unit = "unit"
	}
	return fmt.Sprintf("%s with %d %s", name, hidden, unit)
}

// A puts "a" or "an" before s, by how its first word is said: acronyms by
// their first letter's name ("an LSTM", "a GRU"), words by their first
// letter ("a tanh RNN", "an RNN").
func A(s string) string {
	word, _, _ := strings.Cut(s, " ")
	if word == "" {
		return s
	}
	first := rune(word[0])
	vowel := strings.ContainsRune("aeiou", unicode.ToLower(first))
	if len(word) > 1 && strings.ToUpper(word) == word { // an acronym
		vowel = strings.ContainsRune("AEFHILMNORSX", unicode.ToUpper(first))
	}
	if vowel {
		return "an " + s
	}
	return "a " + s
}

// TrainingPanel turns a training run into the report's training panel.
func TrainingPanel(task string, target float64, tr tasks.TrainResult) *viz.Training {
	t := &viz.Training{
		Task:      task,
		TargetMSE: target,
		Reached:   tr.Reached,
		Epochs:    tr.Epochs,
		MSE:       tr.Val.MSE,
		Accuracy:  tr.Val.SignAccuracy,
		Elapsed:   tr.Elapsed,
	}
	for _, e := range tr.History {
		t.Loss = append(t.Loss, e.Loss)
		t.ValMSE = append(t.ValMSE, e.Val.MSE)
	}
	return t
}
