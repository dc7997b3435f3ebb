package views

import "strconv"

// Chart is a bar chart drawn as inline SVG. NewChart computes the geometry,
// so the template only places shapes.
type Chart struct {
	Title  string // a catalogue key
	Width  int
	Height int
	Bars   []Bar
	// Horizontal charts list labels on the left (keys, models); vertical
	// ones are time series (days).
	Horizontal bool
	// Peak is the largest value, written at the top of a time series.
	Peak int64
}

// Baseline is the y of a time series' axis.
func (c Chart) Baseline() string { return ftoa(16 + columnsTall) }

// AxisEnd is the x where a time series' axis ends.
func (c Chart) AxisEnd() string { return ftoa(chartWidth - margin) }

// Bar is one bar and its labels, in SVG user units.
type Bar struct {
	Label      string
	Value      int64
	X, Y, W, H float64
	// LX, LY place the label; VX, VY the value.
	LX, LY, VX, VY float64
	// ShowLabel thins day labels so they do not overlap.
	ShowLabel bool
}

// Empty reports whether there is nothing to draw.
func (c Chart) Empty() bool {
	for _, b := range c.Bars {
		if b.Value > 0 {
			return false
		}
	}
	return true
}

// ViewBox is the SVG viewBox attribute.
func (c Chart) ViewBox() string {
	return "0 0 " + strconv.Itoa(c.Width) + " " + strconv.Itoa(c.Height)
}

// Chart sizes in SVG units; the stylesheet scales the SVG to its container.
const (
	chartWidth  = 720
	barHeight   = 22
	labelWidth  = 250
	valueWidth  = 90
	columnsTall = 180
	axisHeight  = 24
	margin      = 24 // keeps the first and last day labels inside
)

// NewChart lays out vertical bars (a time series).
func NewChart(title string, labels []string, values []int64) Chart {
	c := Chart{Title: title, Width: chartWidth, Height: columnsTall + axisHeight + 16}
	n := len(values)
	if n == 0 {
		return c
	}
	peak := maxOf(values)
	c.Peak = peak
	slot := float64(chartWidth-2*margin) / float64(n)
	every := max(1, n/8) // about eight labels at most
	for i, v := range values {
		h := float64(columnsTall) * float64(v) / float64(peak)
		x := margin + float64(i)*slot + slot*0.15
		c.Bars = append(c.Bars, Bar{
			Label: labels[i], Value: v,
			X: x, Y: 16 + float64(columnsTall) - h, W: slot * 0.7, H: h,
			LX: x + slot*0.35, LY: float64(columnsTall + 16 + axisHeight - 6),
			VX: x + slot*0.35, VY: 16 + float64(columnsTall) - h - 4,
			ShowLabel: (n-1-i)%every == 0, // always today's
		})
	}
	return c
}

// NewHBarChart lays out horizontal bars (a ranking).
func NewHBarChart(title string, labels []string, values []int64) Chart {
	c := Chart{Title: title, Width: chartWidth, Horizontal: true}
	c.Height = max(1, len(values)) * (barHeight + 8)
	if len(values) == 0 {
		return c
	}
	peak := maxOf(values)
	room := float64(chartWidth - labelWidth - valueWidth)
	for i, v := range values {
		y := float64(i * (barHeight + 8))
		w := room * float64(v) / float64(peak)
		c.Bars = append(c.Bars, Bar{
			Label: labels[i], Value: v,
			X: labelWidth, Y: y + 4, W: w, H: barHeight,
			LX: labelWidth - 8, LY: y + 4 + barHeight*0.7,
			VX: labelWidth + w + 6, VY: y + 4 + barHeight*0.7,
			ShowLabel: true,
		})
	}
	return c
}

// maxOf is the largest value, at least 1 so empty charts divide safely.
func maxOf(values []int64) int64 {
	m := int64(1)
	for _, v := range values {
		m = max(m, v)
	}
	return m
}
