package views_test

import (
	"testing"

	"github.com/hagemi/hagemi/views"
)

func TestNewChartScalesToTheLargestBar(t *testing.T) {
	c := views.NewChart("usage.requests", []string{"a", "b", "c"}, []int64{0, 50, 100})
	if c.Empty() {
		t.Fatal("chart with data is empty")
	}
	if c.Bars[2].H != 2*c.Bars[1].H || c.Bars[0].H != 0 {
		t.Errorf("heights = %v, %v, %v", c.Bars[0].H, c.Bars[1].H, c.Bars[2].H)
	}
	if c.Bars[2].Y+c.Bars[2].H != c.Bars[0].Y+c.Bars[0].H {
		t.Error("bars do not share a baseline")
	}
	h := views.NewHBarChart("usage.perkey", []string{"x", "y"}, []int64{10, 5})
	if h.Bars[0].W != 2*h.Bars[1].W {
		t.Errorf("widths = %v, %v", h.Bars[0].W, h.Bars[1].W)
	}
}

func TestChartRendersTitlesAndEscapesLabels(t *testing.T) {
	m := views.PageMeta{Lang: views.English}
	doc := render(t, views.BarChart(m, views.NewHBarChart("usage.perkey", []string{payload}, []int64{3})))
	if got := doc.Find("svg title").Text(); got != payload+": 3" {
		t.Errorf("title = %q", got)
	}
	if doc.Find("svg script").Length() != 0 {
		t.Error("label became a script")
	}
	doc = render(t, views.BarChart(m, views.NewChart("usage.requests", []string{"a"}, []int64{0})))
	if doc.Find("svg").Length() != 0 || doc.Find(".empty").Length() != 1 {
		t.Error("empty chart should say so instead of drawing")
	}
}
