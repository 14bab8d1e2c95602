/** What a session knows of its own recovery: the token its welcome carries, and how its last resume went. */
export interface ResumeTicket {
  token: string;
  /** Set when the client asked to resume: true when it got its session back, false when it was refused (410). */
  resumed?: boolean;
}
