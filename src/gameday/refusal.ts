/** A request a person should read the answer to (no such gate waiting, a review not open, an empty field): the live server answers it with 409. */
export class GameDayRefusal extends Error {}
