import { createSignal, onCleanup, onMount } from 'solid-js';

/** The side of the square the app sends: twice the server's 512 px, so its downscale stays sharp. */
const OUTPUT_PX = 1024;
/** The crop view's side on screen. */
const VIEW_PX = 280;

/** Where the square sits over the image: its side and top-left, in image pixels. */
interface Crop {
  side: number;
  x: number;
  y: number;
}

function clampCrop(crop: Crop, width: number, height: number): Crop {
  const side = Math.min(crop.side, width, height);
  return { side, x: Math.min(Math.max(0, crop.x), width - side), y: Math.min(Math.max(0, crop.y), height - side) };
}

/**
 * Crops a chosen image to a square on the device: drag to move, the slider to zoom.
 * "Use photo" draws the square on a canvas and hands back a 1024 px JPEG (the canvas
 * keeps no EXIF; the server strips and re-encodes anyway).
 */
export function PhotoCropper(props: { image: ImageBitmap; onDone: (photo: Blob | null) => void }) {
  let canvas!: HTMLCanvasElement;
  const { width, height } = props.image;
  const fullSide = Math.min(width, height);
  const [zoom, setZoom] = createSignal(1);
  const [crop, setCrop] = createSignal<Crop>({ side: fullSide, x: (width - fullSide) / 2, y: (height - fullSide) / 2 });
  const draw = () => {
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    const { side, x, y } = crop();
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(props.image, x, y, side, side, 0, 0, canvas.width, canvas.height);
  };
  const zoomTo = (next: number) => {
    const old = crop();
    const side = fullSide / next;
    // Zoom about the centre of what is shown.
    setCrop(clampCrop({ side, x: old.x + (old.side - side) / 2, y: old.y + (old.side - side) / 2 }, width, height));
    setZoom(next);
    draw();
  };
  let drag: { pointer: number; x: number; y: number; from: Crop } | undefined;
  const onDown = (e: PointerEvent) => {
    canvas.setPointerCapture(e.pointerId);
    drag = { pointer: e.pointerId, x: e.clientX, y: e.clientY, from: crop() };
  };
  const onMove = (e: PointerEvent) => {
    if (!drag || drag.pointer !== e.pointerId) return;
    const scale = drag.from.side / canvas.getBoundingClientRect().width;
    setCrop(clampCrop({ ...drag.from, x: drag.from.x - (e.clientX - drag.x) * scale, y: drag.from.y - (e.clientY - drag.y) * scale }, width, height));
    draw();
  };
  const onUp = () => {
    drag = undefined;
  };
  const use = () => {
    const out = document.createElement('canvas');
    out.width = OUTPUT_PX;
    out.height = OUTPUT_PX;
    const { side, x, y } = crop();
    out.getContext('2d')?.drawImage(props.image, x, y, side, side, 0, 0, OUTPUT_PX, OUTPUT_PX);
    out.toBlob((blob) => props.onDone(blob), 'image/jpeg', 0.9);
  };
  const onKey = (e: KeyboardEvent) => e.key === 'Escape' && props.onDone(null);
  onMount(() => {
    draw();
    document.addEventListener('keydown', onKey);
  });
  onCleanup(() => document.removeEventListener('keydown', onKey));
  return (
    <div class="confirm-backdrop" onClick={(e) => e.target === e.currentTarget && props.onDone(null)}>
      <div class="confirm photo-cropper" role="dialog" aria-modal="true" aria-label="Crop your photo" data-testid="photo-cropper">
        <p class="confirm-text">Drag to move, slide to zoom</p>
        <canvas
          ref={canvas}
          class="photo-crop-view"
          width={VIEW_PX * 2}
          height={VIEW_PX * 2}
          style={{ width: `${VIEW_PX}px`, height: `${VIEW_PX}px` }}
          onPointerDown={onDown}
          onPointerMove={onMove}
          onPointerUp={onUp}
          onPointerCancel={onUp}
          data-testid="photo-crop-view"
        />
        <input type="range" class="photo-zoom" min="1" max="4" step="0.01" value={zoom()} aria-label="Zoom" onInput={(e) => zoomTo(Number(e.currentTarget.value))} data-testid="photo-zoom" />
        <div class="confirm-buttons">
          <button type="button" class="confirm-cancel" onClick={() => props.onDone(null)}>
            Cancel
          </button>
          <button type="button" class="confirm-go" onClick={use} data-testid="photo-use">
            Use photo
          </button>
        </div>
      </div>
    </div>
  );
}
