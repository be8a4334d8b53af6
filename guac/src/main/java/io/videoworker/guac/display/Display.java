package io.videoworker.guac.display;

import io.videoworker.guac.Limits;
import io.videoworker.guac.image.DecodedImage;
import java.awt.AlphaComposite;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Paint;
import java.awt.Rectangle;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.TexturePaint;
import java.awt.geom.AffineTransform;
import java.awt.geom.Arc2D;
import java.awt.geom.Path2D;
import java.awt.geom.Point2D;
import java.awt.image.BufferedImage;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;

/**
 * The remote display as Guacamole's browser client models it: the screen (layer 0), visible
 * layers in a tree, off-screen buffers and the pointer. Every drawing operation takes layer
 * indices and protocol arguments; damage to what is visible is tracked for the encoder.
 */
public final class Display {
    private final Limits limits;
    private final Map<Integer, Layer> layers = new HashMap<>();
    private Layer root;
    private final Pointer pointer = new Pointer();
    private final Damage damage = new Damage();
    private boolean changed;
    private boolean pointerChanged;
    private long totalPixels;
    private long attachCounter;
    private long pathElements; // in the current paths of all layers together

    /** Path elements all layers may hold at once (a few MiB): a browser draws any path, memory does not. */
    public static final int MAX_PATH_ELEMENTS = 1 << 16;
    /**
     * Elements a clip path may have: clipping goes through java.awt.geom.Area, whose cost grows
     * about with the square of the edges (256 extreme curves took minutes); guacd clips to a rectangle or two.
     */
    public static final int MAX_CLIP_ELEMENTS = 32;
    /** Widest or tallest pointer image; a larger cursor is cut to its top-left corner. */
    public static final int MAX_POINTER_SIDE = 1024;

    public Display(Limits limits) {
        this.limits = limits;
        reset();
    }

    /** Forgets everything: a new part of a recording restates its whole state. */
    public void reset() {
        layers.clear();
        totalPixels = 0;
        pathElements = 0;
        root = new Layer(0);
        layers.put(0, root);
        pointer.reset();
        markAll();
        pointerChanged = true;
    }

    public Layer root() {
        return root;
    }

    public Pointer pointer() {
        return pointer;
    }

    public int width() {
        return root.width;
    }

    public int height() {
        return root.height;
    }

    // ---- layers --------------------------------------------------------------------------

    /** The layer or buffer with this index, created empty on first use. */
    public Layer layer(int index) {
        Layer l = layers.get(index);
        if (l == null) {
            if (layers.size() >= limits.maxLayers()) {
                throw new DisplayException("more than " + limits.maxLayers() + " layers and buffers");
            }
            l = new Layer(index);
            layers.put(index, l);
            if (index > 0) {
                attach(l, root);
            }
        }
        return l;
    }

    public void size(int index, int w, int h) {
        Layer l = layer(index);
        checkSize(l, w, h);
        if (isVisible(l)) {
            markLayer(l); // old extent
        }
        resize(l, w, h);
        if (isVisible(l)) {
            markLayer(l);
        }
    }

    public void move(int index, int parentIndex, int x, int y, int z) {
        if (index <= 0 || parentIndex < 0) {
            return;
        }
        Layer l = layer(index);
        Layer p = layer(parentIndex);
        for (Layer a = p; a != null; a = a.parent) {
            if (a == l) {
                return; // would form a cycle
            }
        }
        boolean wasVisible = isVisible(l);
        if (l.parent != p) {
            detach(l);
            attach(l, p);
        } else if (l.z != z) {
            l.attachOrder = ++attachCounter;
        }
        l.x = x;
        l.y = y;
        l.z = z;
        if (wasVisible || isVisible(l)) {
            markAll();
        }
    }

    public void shade(int index, int opacity) {
        if (index <= 0) {
            return;
        }
        Layer l = layer(index);
        l.opacity = Math.max(0, Math.min(255, opacity));
        if (isVisible(l)) {
            markAll();
        }
    }

    public void distort(int index, double a, double b, double c, double d, double e, double f) {
        if (index <= 0) {
            return;
        }
        Layer l = layer(index);
        AffineTransform t = new AffineTransform(a, b, c, d, e, f);
        l.distort = t.isIdentity() ? null : t;
        if (isVisible(l)) {
            markAll();
        }
    }

    public void dispose(int index) {
        if (index == 0) {
            return;
        }
        Layer l = layers.remove(index);
        if (l == null) {
            return;
        }
        boolean visible = isVisible(l);
        totalPixels -= l.pixelCount();
        pathElements -= l.path.elements;
        if (index > 0) {
            detach(l);
        }
        if (visible) {
            markAll();
        }
    }

    private void attach(Layer l, Layer p) {
        l.parent = p;
        l.attachOrder = ++attachCounter;
        p.children.add(l);
    }

    private void detach(Layer l) {
        if (l.parent != null) {
            l.parent.children.remove(l);
            l.parent = null;
        }
    }

    /** On screen: the screen itself, or a layer attached through its ancestors to the screen. */
    boolean isVisible(Layer l) {
        for (Layer a = l; a != null; a = a.parent) {
            if (a == root) {
                return true;
            }
        }
        return false;
    }

    private void checkSize(Layer l, long w, long h) {
        if (w < 0 || h < 0) {
            throw new DisplayException("negative size " + w + "x" + h + " for " + l);
        }
        if (w > limits.maxSide() || h > limits.maxSide() || w * h > limits.maxLayerPixels()) {
            throw new DisplayException("size " + w + "x" + h + " for layer " + l.index + " exceeds the limit of "
                    + limits.maxSide() + " pixels a side and " + limits.maxLayerPixels() + " pixels");
        }
        if (totalPixels - l.pixelCount() + w * h > limits.maxTotalPixels()) {
            throw new DisplayException("layers and buffers would hold more than " + limits.maxTotalPixels() + " pixels");
        }
    }

    private void resize(Layer l, int w, int h) {
        totalPixels += (long) w * h - l.pixelCount();
        l.resize(w, h);
    }

    /** Buffers grow to hold whatever is drawn into them (x+w, y+h), keeping their content. */
    private void grow(Layer l, long right, long bottom) {
        if (l.index >= 0 || (right <= l.width && bottom <= l.height)) {
            return;
        }
        long w = Math.max(l.width, right);
        long h = Math.max(l.height, bottom);
        checkSize(l, w, h);
        resize(l, (int) w, (int) h);
    }

    // ---- damage --------------------------------------------------------------------------

    private void markAll() {
        changed = true;
        damage.addAll(Integer.MAX_VALUE / 2, Integer.MAX_VALUE / 2);
    }

    private void markLayer(Layer l) {
        mark(l, 0, 0, l.width, l.height);
    }

    /** Records that (x,y,w,h) of layer l changed, if anyone can see it. */
    private void mark(Layer l, int x, int y, int w, int h) {
        if (l == root) {
            changed = true;
            damage.add(x, y, w, h);
        } else if (l.index > 0 && isVisible(l)) {
            markAll();
        }
    }

    /** True if something visible changed since {@link #takeChanges()}. */
    public boolean changed() {
        return changed || pointerChanged;
    }

    public Damage damage() {
        return damage;
    }

    /** Clears the change flags; the caller has taken the damage. */
    public void takeChanges() {
        changed = false;
        pointerChanged = false;
        damage.clear();
    }

    /** True when the screen shows only layer 0 (no child layers): frames need no compositing. */
    public boolean flat() {
        return root.children.isEmpty();
    }

    // ---- pointer -------------------------------------------------------------------------

    public void mouse(int x, int y) {
        if (pointer.visible && pointer.x == x && pointer.y == y) {
            return;
        }
        markPointer();
        pointer.x = x;
        pointer.y = y;
        pointer.visible = true;
        markPointer();
    }

    /** Copies the pixels now: guacd redraws the source buffer right after. */
    public void cursor(int hotX, int hotY, int srcIndex, int sx, int sy, int sw, int sh) {
        Layer src = layers.get(srcIndex);
        markPointer();
        // only the part inside the source has pixels (the rest is transparent): keep just that
        int[] r = src == null ? null : clip(src, sx, sy, Math.min(sw, MAX_POINTER_SIDE), Math.min(sh, MAX_POINTER_SIDE));
        int w = r == null ? 0 : r[2];
        int h = r == null ? 0 : r[3];
        int[] image = new int[w * h];
        for (int row = 0; row < h; row++) {
            System.arraycopy(src.pixels, (r[1] + row) * src.width + r[0], image, row * w, w);
        }
        pointer.image = image;
        pointer.width = w;
        pointer.height = h;
        pointer.hotX = r == null ? hotX : (int) Math.max(Integer.MIN_VALUE, (long) hotX - (r[0] - sx));
        pointer.hotY = r == null ? hotY : (int) Math.max(Integer.MIN_VALUE, (long) hotY - (r[1] - sy));
        markPointer();
    }

    private void markPointer() {
        if (pointer.visible()) {
            pointerChanged = true;
            damage.add(pointer.left(), pointer.top(), pointer.width, pointer.height);
        }
    }

    // ---- drawing -------------------------------------------------------------------------

    /** Clips a rectangle to the layer: {x, y, w, h} or null if nothing is left. */
    private static int[] clip(Layer l, long x, long y, long w, long h) {
        long x0 = Math.max(0, x);
        long y0 = Math.max(0, y);
        long x1 = Math.min(l.width, x + w);
        long y1 = Math.min(l.height, y + h);
        return x0 < x1 && y0 < y1 ? new int[] {(int) x0, (int) y0, (int) (x1 - x0), (int) (y1 - y0)} : null;
    }

    public void drawImage(int index, int x, int y, DecodedImage img, int mask) {
        Layer l = layer(index);
        grow(l, (long) x + img.width(), (long) y + img.height());
        int[] r = clip(l, x, y, img.width(), img.height());
        if (r == null) {
            return;
        }
        Compositor.composite(img.pixels(), img.width(), r[0] - x, r[1] - y, r[2], r[3], l.pixels, l.width, r[0], r[1], mask);
        mark(l, r[0], r[1], r[2], r[3]);
    }

    public void copy(int srcIndex, int sx, int sy, int sw, int sh, int mask, int dstIndex, int dx, int dy) {
        blit(srcIndex, sx, sy, sw, sh, dstIndex, dx, dy, mask, false);
    }

    public void transfer(int srcIndex, int sx, int sy, int sw, int sh, int function, int dstIndex, int dx, int dy) {
        blit(srcIndex, sx, sy, sw, sh, dstIndex, dx, dy, function, true);
    }

    private void blit(int srcIndex, int sx, int sy, int sw, int sh, int dstIndex, int dx, int dy, int op, boolean rop) {
        Layer src = layers.get(srcIndex);
        if (src == null) {
            return;
        }
        int[] s = clip(src, sx, sy, sw, sh); // the source rect is clipped to the source's bounds
        if (s == null) {
            return;
        }
        long tx = (long) dx + (s[0] - sx);
        long ty = (long) dy + (s[1] - sy);
        Layer dst = layer(dstIndex);
        grow(dst, tx + s[2], ty + s[3]);
        int[] d = clip(dst, tx, ty, s[2], s[3]);
        if (d == null) {
            return;
        }
        int srcX = s[0] + (int) (d[0] - tx);
        int srcY = s[1] + (int) (d[1] - ty);
        int[] from = src.pixels;
        int stride = src.width;
        if (src == dst) { // overlapping scroll: read from a copy of the source rectangle
            from = new int[d[2] * d[3]];
            for (int row = 0; row < d[3]; row++) {
                System.arraycopy(src.pixels, (srcY + row) * src.width + srcX, from, row * d[2], d[2]);
            }
            stride = d[2];
            srcX = 0;
            srcY = 0;
        }
        if (rop) {
            RasterOp.transfer(from, stride, srcX, srcY, d[2], d[3], dst.pixels, dst.width, d[0], d[1], op);
        } else {
            Compositor.composite(from, stride, srcX, srcY, d[2], d[3], dst.pixels, dst.width, d[0], d[1], op);
        }
        mark(dst, d[0], d[1], d[2], d[3]);
    }

    // ---- paths ---------------------------------------------------------------------------

    /** The layer's path, about to take one more element, within {@link #MAX_PATH_ELEMENTS} for all. */
    private PathState growPath(int index) {
        PathState p = layer(index).path;
        pathElements -= p.beginSegment();
        if (pathElements >= MAX_PATH_ELEMENTS) {
            throw new DisplayException("paths hold more than " + MAX_PATH_ELEMENTS + " elements");
        }
        pathElements++;
        p.elements++;
        return p;
    }

    public void rect(int index, int x, int y, int w, int h) {
        growPath(index).rect(x, y, w, h);
    }

    public void start(int index, double x, double y) {
        PathState p = growPath(index);
        Point2D pt = p.transform.transform(new Point2D.Double(x, y), null);
        p.general().moveTo(pt.getX(), pt.getY());
    }

    public void line(int index, double x, double y) {
        PathState p = growPath(index);
        Point2D pt = p.transform.transform(new Point2D.Double(x, y), null);
        Path2D.Double path = p.general();
        if (path.getCurrentPoint() == null) {
            path.moveTo(pt.getX(), pt.getY());
        } else {
            path.lineTo(pt.getX(), pt.getY());
        }
    }

    public void curve(int index, double c1x, double c1y, double c2x, double c2y, double x, double y) {
        PathState p = growPath(index);
        double[] pts = {c1x, c1y, c2x, c2y, x, y};
        p.transform.transform(pts, 0, pts, 0, 3);
        Path2D.Double path = p.general();
        if (path.getCurrentPoint() == null) {
            path.moveTo(pts[0], pts[1]);
        }
        path.curveTo(pts[0], pts[1], pts[2], pts[3], pts[4], pts[5]);
    }

    public void arc(int index, double x, double y, double radius, double start, double end, boolean negative) {
        PathState p = growPath(index);
        // canvas angles run clockwise on screen (y down); Arc2D's run counter-clockwise
        double turn = 2 * Math.PI;
        double span = negative ? start - end : end - start;
        span = span >= turn ? turn : ((span % turn) + turn) % turn;
        double sweep = negative ? -span : span;
        Arc2D.Double arc = new Arc2D.Double(x - radius, y - radius, 2 * radius, 2 * radius,
                -Math.toDegrees(start), -Math.toDegrees(sweep), Arc2D.OPEN);
        Shape s = p.transform.createTransformedShape(arc);
        Path2D.Double path = p.general();
        path.append(s, path.getCurrentPoint() != null);
    }

    public void close(int index) {
        Path2D.Double path = growPath(index).general();
        if (path.getCurrentPoint() != null) {
            path.closePath();
        }
    }

    public void identity(int index) {
        layer(index).path.transform = new AffineTransform();
    }

    public void transform(int index, double a, double b, double c, double d, double e, double f) {
        layer(index).path.transform.concatenate(new AffineTransform(a, b, c, d, e, f));
    }

    public void push(int index) {
        layer(index).path.push();
    }

    public void pop(int index) {
        layer(index).path.pop();
    }

    public void reset(int index) {
        layer(index).path.reset();
    }

    public void clip(int index) {
        PathState p = layer(index).path;
        if (p.elements > MAX_CLIP_ELEMENTS) {
            throw new DisplayException("clip path of " + p.elements + " elements; at most " + MAX_CLIP_ELEMENTS
                    + " are accepted");
        }
        p.clipToPath();
    }

    public void miterLimit(int index, double limit) {
        layer(index).path.miterLimit = limit;
    }

    /** cfill: fill the current path with a colour (r,g,b,a non-premultiplied). */
    public void fill(int mask, int index, int r, int g, int b, int a) {
        Layer l = layer(index);
        PathState p = l.path;
        int color = Compositor.premultiply(clamp(a) << 24 | clamp(r) << 16 | clamp(g) << 8 | clamp(b));
        if (p.onlyRects && p.clip == null && (p.rectCount <= 1 || (p.rectCount <= 256 && p.rectsDisjoint()))) {
            for (int i = 0; i < p.rectCount; i++) {
                int[] q = p.rects;
                int k = i * 4;
                grow(l, (long) q[k] + q[k + 2], (long) q[k + 1] + q[k + 3]);
                int[] c = clip(l, q[k], q[k + 1], q[k + 2], q[k + 3]);
                if (c != null) {
                    Compositor.fill(color, l.pixels, l.width, c[0], c[1], c[2], c[3], mask);
                    mark(l, c[0], c[1], c[2], c[3]);
                }
            }
            p.consumed();
            return;
        }
        paintShape(l, p.path, new Color(clamp(r), clamp(g), clamp(b), clamp(a)), mask, null);
    }

    /** lfill: fill the current path with another layer as a repeating pattern. */
    public void fillPattern(int mask, int index, int srcIndex) {
        Layer l = layer(index);
        Paint paint = pattern(srcIndex, l);
        if (paint != null) {
            paintShape(l, l.path.path, paint, mask, null);
        } else {
            l.path.consumed();
        }
    }

    public void stroke(int mask, int index, int cap, int join, double thickness, int r, int g, int b, int a) {
        Layer l = layer(index);
        paintShape(l, l.path.path, new Color(clamp(r), clamp(g), clamp(b), clamp(a)), mask, stroke(l, cap, join, thickness));
    }

    public void strokePattern(int mask, int index, int cap, int join, double thickness, int srcIndex) {
        Layer l = layer(index);
        Paint paint = pattern(srcIndex, l);
        if (paint != null) {
            paintShape(l, l.path.path, paint, mask, stroke(l, cap, join, thickness));
        } else {
            l.path.consumed();
        }
    }

    private static BasicStroke stroke(Layer l, int cap, int join, double thickness) {
        int c = cap == 1 ? BasicStroke.CAP_ROUND : cap == 2 ? BasicStroke.CAP_SQUARE : BasicStroke.CAP_BUTT;
        int j = join == 0 ? BasicStroke.JOIN_BEVEL : join == 2 ? BasicStroke.JOIN_ROUND : BasicStroke.JOIN_MITER;
        float width = (float) Math.max(0, Math.min(thickness, 4096));
        return new BasicStroke(width, c, j, (float) Math.max(1, l.path.miterLimit));
    }

    /** The source layer as a repeating paint; copied only when it is the layer being painted. */
    private Paint pattern(int srcIndex, Layer target) {
        Layer src = layers.get(srcIndex);
        if (src == null || src.width == 0 || src.height == 0) {
            return null;
        }
        int[] px = src == target ? src.pixels.clone() : src.pixels;
        return new TexturePaint(Layer.wrap(px, src.width, src.height), new Rectangle(0, 0, src.width, src.height));
    }

    /** General path painting through Java2D, which applies the operator only where the shape covers. */
    private void paintShape(Layer l, Shape pathInUserSpace, Paint paint, int mask, BasicStroke stroke) {
        PathState p = l.path;
        Shape shape = pathInUserSpace; // path points were transformed when added
        if (stroke != null) {
            shape = stroke.createStrokedShape(shape);
        }
        Rectangle bounds = shape.getBounds();
        if (l.index < 0) {
            grow(l, (long) bounds.x + bounds.width, (long) bounds.y + bounds.height);
        }
        int[] c = clip(l, bounds.x, bounds.y, bounds.width, bounds.height);
        p.consumed();
        if (c == null) {
            return;
        }
        int m = Compositor.normalize(mask);
        Graphics2D g = l.image().createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
            if (p.clip != null) {
                g.setClip(p.clip);
            }
            if (m == Compositor.PLUS) {
                // no AlphaComposite for PLUS: paint the shape alone, then add it
                BufferedImage tmp = new BufferedImage(c[2], c[3], BufferedImage.TYPE_INT_ARGB_PRE);
                Graphics2D tg = tmp.createGraphics();
                tg.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
                tg.translate(-c[0], -c[1]);
                if (p.clip != null) {
                    tg.setClip(p.clip);
                }
                tg.setPaint(paint);
                tg.fill(shape);
                tg.dispose();
                int[] px = (int[]) tmp.getRaster().getDataElements(0, 0, c[2], c[3], null);
                Compositor.composite(px, c[2], 0, 0, c[2], c[3], l.pixels, l.width, c[0], c[1], Compositor.PLUS);
            } else {
                g.setComposite(AlphaComposite.getInstance(alphaRule(m)));
                g.setPaint(paint);
                g.fill(shape);
            }
        } finally {
            g.dispose();
        }
        mark(l, c[0], c[1], c[2], c[3]);
    }

    private static int alphaRule(int m) {
        switch (m) {
            case Compositor.RIN: return AlphaComposite.DST_IN;
            case Compositor.ROUT: return AlphaComposite.DST_OUT;
            case Compositor.IN: return AlphaComposite.SRC_IN;
            case Compositor.ATOP: return AlphaComposite.SRC_ATOP;
            case Compositor.OUT: return AlphaComposite.SRC_OUT;
            case Compositor.RATOP: return AlphaComposite.DST_ATOP;
            case Compositor.XOR: return AlphaComposite.XOR;
            case Compositor.ROVER: return AlphaComposite.DST_OVER;
            case Compositor.SRC: return AlphaComposite.SRC;
            default: return AlphaComposite.SRC_OVER;
        }
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }

    // ---- composition ---------------------------------------------------------------------

    private static final Comparator<Layer> STACKING =
            Comparator.<Layer>comparingInt(l -> l.z).thenComparingLong(l -> l.attachOrder);

    /**
     * Writes the screen as the browser shows it into {@code out} (size of layer 0): layer 0 with its
     * visible children by ascending z (equal z: later attached on top), each clipped to its parent
     * and drawn with its opacity. Transparent where nothing was painted; no pointer.
     */
    public void compose(int[] out) {
        System.arraycopy(root.pixels, 0, out, 0, root.pixels.length);
        composeChildren(root, out, root.width, root.height);
    }

    /**
     * Composes the children of {@code parent} onto its canvas, each child's own children first (into
     * a copy of its pixels). Iterative, not recursive: a chain of thousands of nested layers (the
     * fuzz suite's deep-layer-tree) overflowed the stack of an interpreted thread.
     */
    private void composeChildren(Layer parent, int[] canvas, int cw, int ch) {
        java.util.ArrayDeque<Composing> open = new java.util.ArrayDeque<>();
        open.push(new Composing(parent, canvas, cw, ch));
        while (!open.isEmpty()) {
            Composing at = open.peek();
            if (at.next == at.kids.length) {
                open.pop();
                Composing up = open.peek();
                if (up != null) { // its children are in: draw it onto its parent
                    draw(at.layer, at.canvas, up.canvas, up.width, up.height);
                    up.next++;
                }
                continue;
            }
            Layer c = at.kids[at.next];
            if (c.opacity == 0 || c.width == 0 || c.height == 0) {
                at.next++;
            } else if (!c.children.isEmpty()) {
                open.push(new Composing(c, c.pixels.clone(), c.width, c.height));
            } else {
                draw(c, c.pixels, at.canvas, at.width, at.height);
                at.next++;
            }
        }
    }

    /** A layer whose children are being drawn onto {@code canvas}, by ascending z; {@code next} is the next. */
    private static final class Composing {
        final Layer layer;
        final int[] canvas;
        final int width;
        final int height;
        final Layer[] kids;
        int next;

        Composing(Layer layer, int[] canvas, int width, int height) {
            this.layer = layer;
            this.canvas = canvas;
            this.width = width;
            this.height = height;
            this.kids = layer.children.toArray(new Layer[0]);
            java.util.Arrays.sort(kids, STACKING);
        }
    }

    /** Draws layer {@code c}, whose composed pixels are {@code px}, onto its parent's canvas. */
    private static void draw(Layer c, int[] px, int[] canvas, int cw, int ch) {
        if (c.distort != null) {
            drawTransformed(px, c, canvas, cw, ch);
            return;
        }
        int x0 = Math.max(0, c.x);
        int y0 = Math.max(0, c.y);
        int x1 = Math.min(cw, c.x + c.width);
        int y1 = Math.min(ch, c.y + c.height);
        for (int row = y0; row < y1; row++) {
            int si = (row - c.y) * c.width + (x0 - c.x);
            int di = row * cw;
            for (int col = x0; col < x1; col++, si++) {
                int s = px[si];
                if (s == 0) {
                    continue;
                }
                if (c.opacity != 255) {
                    s = scale(s, c.opacity);
                }
                canvas[di + col] = Compositor.over(s, canvas[di + col]);
            }
        }
    }

    private static int scale(int p, int alpha) {
        return Compositor.mul(p >>> 24, alpha) << 24 | Compositor.mul((p >> 16) & 0xFF, alpha) << 16
                | Compositor.mul((p >> 8) & 0xFF, alpha) << 8 | Compositor.mul(p & 0xFF, alpha);
    }

    /** Draws through views of the arrays themselves: no copy of the (possibly screen-sized) canvas. */
    private static void drawTransformed(int[] px, Layer c, int[] canvas, int cw, int ch) {
        BufferedImage src = Layer.wrap(px, c.width, c.height);
        BufferedImage dst = Layer.wrap(canvas, cw, ch);
        Graphics2D g = dst.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.setComposite(AlphaComposite.getInstance(AlphaComposite.SRC_OVER, c.opacity / 255f));
        g.clipRect(0, 0, cw, ch);
        AffineTransform t = AffineTransform.getTranslateInstance(c.x, c.y);
        t.concatenate(c.distort);
        g.drawImage(src, t, null);
        g.dispose();
    }
}
