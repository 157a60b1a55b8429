import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardIdOf, kioskPage, readCardTries, screen, shot, startAndPlace, startKioskStack, typePin, type KioskStack } from './kiosk-stack.js';

let stack: KioskStack;
beforeAll(async () => {
  stack = await startKioskStack();
}, 300_000);
afterAll(async () => {
  await stack?.close();
}, 60_000);

describe('PIN entry at the kiosk', () => {
  it('locks the card after three wrong PINs, and the card file still says so after a restart', async () => {
    const cardId = await cardIdOf('nakamura-yuko');
    let page = await kioskPage(stack, 0);
    await startAndPlace(page, cardId);
    await screen(page, 'pin').waitFor();
    await typePin(page, '9999');
    await page.getByTestId('pin-wrong').waitFor();
    await expect(page.getByTestId('pin-wrong').textContent()).resolves.toContain('2');
    // Masked: the dots never show digits.
    for (const d of '12') await page.locator(`.pad [data-digit="${d}"]`).click();
    await expect(page.getByTestId('pin-dots').textContent()).resolves.toBe('●●');
    await shot(page, '03-pin-wrong');
    await page.getByTestId('pin-clear').click();
    await typePin(page, '0000');
    await expect.poll(() => page.getByTestId('pin-wrong').textContent()).toContain('1');
    expect(await readCardTries(stack.cardsDir, cardId)).toBe(1);
    await typePin(page, '1111');
    await screen(page, 'blocked').waitFor();
    await expect(page.locator('#screen').textContent()).resolves.toContain('市区町村の窓口');
    await shot(page, '03-pin-blocked');
    expect(await readCardTries(stack.cardsDir, cardId)).toBe(0);
    await page.getByTestId('home').click();
    await screen(page, 'home').waitFor();
    await page.context().close();

    await stack.restartSim();
    expect(await readCardTries(stack.cardsDir, cardId)).toBe(0);
    page = await kioskPage(stack, 0);
    await startAndPlace(page, cardId);
    await screen(page, 'blocked').waitFor();
    expect(await readCardTries(stack.cardsDir, cardId)).toBe(0);
    // Even the right PIN is refused by a blocked card (the kiosk never sees it anyway).
    await page.context().close();
  }, 180_000);

  it('says at once that a card already blocked cannot be used', async () => {
    const page = await kioskPage(stack, 1);
    await startAndPlace(page, await cardIdOf('ito-sakura'));
    await screen(page, 'blocked').waitFor();
    await page.getByTestId('home').click();
    await screen(page, 'home').waitFor();
    await page.context().close();
  }, 180_000);

  it('a right PIN after a wrong one resets the counter on the card', async () => {
    const cardId = await cardIdOf('sato-hanako');
    const page = await kioskPage(stack, 2);
    await startAndPlace(page, cardId);
    await screen(page, 'pin').waitFor();
    await typePin(page, '4321');
    await page.getByTestId('pin-wrong').waitFor();
    expect(await readCardTries(stack.cardsDir, cardId)).toBe(2);
    await typePin(page, '1234');
    await screen(page, 'remove-card').waitFor();
    expect(await readCardTries(stack.cardsDir, cardId)).toBe(3);
    await page.getByTestId('take-card').click();
    await screen(page, 'select').waitFor();
    await page.getByTestId('cancel').click();
    await screen(page, 'home').waitFor();
    await page.context().close();
  }, 180_000);
});
