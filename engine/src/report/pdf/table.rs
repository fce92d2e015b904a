//! Tables: the header and held rows drawn once the column widths are fixed, rows
//! continuing across pages under a repeated header, zebra stripes.

use super::*;

pub(super) struct Table {
    /// Natural widths of the header and the held rows.
    pub(super) natural: ColumnWidths,
    pub(super) header: Vec<String>,
    pub(super) right: Vec<bool>,
    /// Rows held until the widths are fixed.
    pub(super) sample: Vec<Vec<String>>,
    /// Column widths once fixed.
    pub(super) widths: Option<Vec<f64>>,
    /// Rows drawn (for zebra stripes).
    pub(super) drawn: usize,
}

impl PdfWriter {
    pub(super) fn table_header(&mut self, t: &Table) {
        let widths = t.widths.as_ref().expect("widths fixed before drawing");
        self.rect(MARGIN, self.y, CONTENT_W, ROW_H, HEADER_BG);
        self.cells(&t.header, widths, &t.right, true);
        self.y += ROW_H;
    }

    pub(super) fn cells(&mut self, cells: &[String], widths: &[f64], right: &[bool], bold: bool) {
        let mut x = MARGIN;
        let baseline = self.y + ROW_H / 2.0 + CELL_SIZE * 0.35;
        for ((cell, w), right) in cells.iter().zip(widths).zip(right) {
            let text = fit(&self.fonts, cell, CELL_SIZE, bold, w - 2.0 * PAD);
            if !text.is_empty() {
                let (tx, anchor) = if *right { (x + w - PAD, Anchor::End) } else { (x + PAD, Anchor::Start) };
                self.text((tx, baseline), text, CELL_SIZE, bold, anchor, BLACK);
            }
            x += w;
        }
    }

    pub(super) fn table_row(&mut self, t: &mut Table, cells: &[String]) {
        if self.y + ROW_H > BOTTOM {
            self.break_page();
            self.table_header(t);
        }
        if t.drawn % 2 == 1 {
            self.rect(MARGIN, self.y, CONTENT_W, ROW_H, ZEBRA);
        }
        let widths = t.widths.clone().expect("widths fixed before drawing");
        self.cells(cells, &widths, &t.right, false);
        self.y += ROW_H;
        t.drawn += 1;
    }

    /// Fixes a table's widths from what it has seen, then draws the header and held rows.
    pub(super) fn fix_widths(&mut self, t: &mut Table) {
        t.widths = Some(column_widths(t.natural.get(), CONTENT_W));
        self.table_header(t);
        for row in std::mem::take(&mut t.sample) {
            self.table_row(t, &row);
        }
    }

    pub(super) fn end_table(&mut self, mut t: Table) {
        if t.widths.is_none() {
            self.fix_widths(&mut t);
        }
        if t.drawn == 0 {
            self.need(ROW_H);
            self.text(
                (MARGIN + PAD, self.y + ROW_H / 2.0 + CELL_SIZE * 0.35),
                "No rows".into(),
                CELL_SIZE,
                false,
                Anchor::Start,
                GREY,
            );
            self.y += ROW_H;
        }
        self.rule(0.5);
    }
}

/// Column widths: `natural` widths stretched to `total`, or shrunk by water-filling.
fn column_widths(natural: &[f64], total: f64) -> Vec<f64> {
    let sum: f64 = natural.iter().sum();
    if natural.is_empty() || sum <= 0.0 {
        return vec![total / natural.len().max(1) as f64; natural.len()];
    }
    if sum <= total {
        return natural.iter().map(|w| w * total / sum).collect();
    }
    let mut widths = vec![0.0; natural.len()];
    let mut open: Vec<usize> = (0..natural.len()).collect();
    let mut rest = total;
    loop {
        let share = rest / open.len() as f64;
        let (fits, wide): (Vec<usize>, Vec<usize>) = open.iter().partition(|&&i| natural[i] <= share);
        if fits.is_empty() {
            for i in wide {
                widths[i] = share;
            }
            return widths;
        }
        for i in fits {
            widths[i] = natural[i];
            rest -= natural[i];
        }
        open = wide;
        if open.is_empty() {
            return widths;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_stretch_or_water_fill() {
        assert_eq!(column_widths(&[10.0, 20.0, 30.0], 120.0), [20.0, 40.0, 60.0]);
        assert_eq!(column_widths(&[10.0, 200.0, 300.0], 210.0), [10.0, 100.0, 100.0]);
        assert_eq!(column_widths(&[50.0, 60.0, 500.0], 210.0), [50.0, 60.0, 100.0]);
    }
}
